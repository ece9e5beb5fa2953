import Foundation

/// Joins and leaves that come close together, told in one log line ("massjoin" coalescing, as irssi and WeeChat do for
/// netsplits): a lone join still reads "Ann (0001) joined", a crowd reads "Ann (0001), Bob (0002), Cid (0003) and 4,997
/// more joined; 120 left". A flood of 15,000 events then costs a few lines instead of burying the conversation, and the
/// log stops scrolling on every frame. Names are sanitised before they get here.
public struct PresenceBurst: Sendable, Hashable {
    /// A presence event joins the burst on the last log line when that line is a burst begun less than this ago.
    public static let window: TimeInterval = 1
    /// How many names each side of a burst lists before "and N more".
    public static let namesShown = 3

    public private(set) var joined: [String] = []
    public private(set) var joinedCount = 0
    public private(set) var left: [String] = []
    public private(set) var leftCount = 0

    public init() {}

    /// One peer's arrival (`online`) or departure; `label` is "Nick (number)".
    public init(_ label: String, online: Bool) {
        add(label, online: online)
    }

    /// Counts one more arrival or departure. `label` is only evaluated while the burst still lists names, so the
    /// thousands of events after the first few cost a counter increment each.
    public mutating func add(_ label: @autoclosure () -> String, online: Bool) {
        if online {
            joinedCount += 1
            if joined.count < Self.namesShown { joined.append(label()) }
        } else {
            leftCount += 1
            if left.count < Self.namesShown { left.append(label()) }
        }
    }

    public var text: String {
        [Self.clause(joined, joinedCount, "joined"), Self.clause(left, leftCount, "left")].compactMap { $0 }.joined(separator: "; ")
    }

    /// The log marker: arrivals only, departures only, or both.
    public var marker: String {
        switch (joinedCount > 0, leftCount > 0) {
        case (true, false): "-->"
        case (false, true): "<--"
        default: "<->"
        }
    }

    private static func clause(_ names: [String], _ count: Int, _ verb: String) -> String? {
        guard count > 0 else { return nil }
        let more = count - names.count
        guard more > 0 else { return names.joined(separator: ", ") + " " + verb }
        return names.joined(separator: ", ") + " and \(grouped(more)) more \(verb)"
    }

    /// 4997 → "4,997", without a locale-dependent formatter.
    static func grouped(_ n: Int) -> String {
        var digits = String(n)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return digits
    }
}
