import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One line of the log pane, before wrapping. Every string in it is already sanitised.
public struct LogEntry: Sendable, Hashable {
    /// What the line is, which decides its marker and colours.
    public enum Kind: Sendable, Hashable {
        /// A chat message; `colorKey` picks the nickname's colour (a stable hash of the sender's number).
        case message(nick: String, colorKey: String, isPrivate: Bool, privateTarget: String?, isOwn: Bool)
        /// Peers came or went: one, or a burst of them told in one line.
        case presence(PresenceBurst)
        /// A connection state change, with its wire word (for colour).
        case state(wireName: String)
        /// Local information (help, whois, hints).
        case info
        /// An error from the gateway or a refused command.
        case error
        /// A rule across the log: where history ends, or how far back it goes (`─── text ───`).
        case marker
        /// Stored messages unloaded to keep the log's memory bounded: `count` of them, the newest just before the
        /// message `before`, fetched again (`history` with `before`) when the view comes near.
        case unloaded(before: String, count: Int)
    }

    /// Where a message line stands: said live, from the room's stored history, or one of ours not yet echoed.
    public enum Origin: Sendable, Hashable {
        case live
        /// From a `history` frame: stamped with the message's own time, drawn dim.
        case history
        /// Ours, sent but not yet echoed by the gateway: drawn dim with a trailing `…`.
        case pending
        /// Ours, and it will not be sent again (we left its room, or the gateway could not confirm it).
        case undelivered
    }

    public var date: Date
    /// `date` as the log shows it (HH:mm:ss, local time), formatted once when the entry is made.
    public let time: String
    public var kind: Kind
    public var origin: Origin
    /// The message id of a stored room message (from `history`), which older pages and refetches start from.
    public var id: String?
    /// A message that names us or a highlight word (drawn highlighted).
    public var highlight = false
    /// The text after the marker. A presence burst's text is made from the burst when it is read (when the line is
    /// drawn), not on each of the thousands of joins a flood adds to it.
    public var text: String {
        switch kind {
        case .presence(let burst): return burst.text
        case .unloaded(_, let count): return "\(count == 1 ? "1 message" : "\(count) messages") not loaded here; they load as you scroll to them"
        default: return body
        }
    }
    private var body: String

    /// An entry; `text` is ignored for a `.presence` kind, whose text follows from the burst. With `today`, an entry
    /// from another day shows its date too (`Dec 02 14:03`, or `2025-12-02 14:03` from another year).
    public init(date: Date, kind: Kind, text: String = "", origin: Origin = .live, id: String? = nil, today: Date? = nil) {
        self.date = date
        self.time = today.map { Self.stamp(date, today: $0) } ?? Self.clockTime(date)
        self.kind = kind
        self.origin = origin
        self.id = id
        if case .presence = kind { body = "" } else { body = text }
    }

    /// HH:mm:ss in the local time zone, through localtime_r: a DateFormatter costs microseconds per call.
    static func clockTime(_ date: Date) -> String {
        guard let parts = localParts(date) else { return "--:--:--" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// `clockTime` on the day of `today`; on another day of its year `Dec 02 14:03`, in another year `2025-12-02 14:03`.
    static func stamp(_ date: Date, today: Date) -> String {
        guard let parts = localParts(date), let now = localParts(today) else { return "--:--:--" }
        if parts.tm_year == now.tm_year, parts.tm_yday == now.tm_yday { return clockTime(date) }
        let clock = "\(two(parts.tm_hour)):\(two(parts.tm_min))"
        if parts.tm_year == now.tm_year { return "\(months[Int(parts.tm_mon) % 12]) \(two(parts.tm_mday)) \(clock)" }
        return "\(1900 + Int(parts.tm_year))-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(clock)"
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func localParts(_ date: Date) -> tm? {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        return localtime_r(&seconds, &parts) == nil ? nil : parts
    }
}

/// The scrollback: the newest `capacity` entries.
public struct LogBuffer: Sendable, Equatable {
    public private(set) var entries: [LogEntry] = []
    /// Entries dropped from the front since the start (so indices stay meaningful to a viewer).
    public private(set) var dropped = 0
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public mutating func append(_ entry: LogEntry) {
        entries.append(entry)
        if entries.count > capacity + capacity / 4 {
            let excess = entries.count - capacity
            entries.removeFirst(excess)
            dropped += excess
        }
    }

    /// Changes the newest entry in place (a presence burst growing).
    mutating func updateLast(_ change: (inout LogEntry) -> Void) {
        guard !entries.isEmpty else { return }
        change(&entries[entries.count - 1])
    }

    /// The index an anchor uses for the newest entry (`dropped + count - 1`); entries keep theirs as others come.
    var lastIndex: Int { dropped + entries.count - 1 }

    /// Changes the entry at an anchor index in place (a pending message echoed); false when it is no longer held.
    @discardableResult
    mutating func update(at index: Int, _ change: (inout LogEntry) -> Void) -> Bool {
        let position = index - dropped
        guard entries.indices.contains(position) else { return false }
        change(&entries[position])
        return true
    }

    /// Puts older entries in front (an older page of history), replacing the first entry when `replacingFirst` (the
    /// "loading" line). Every entry already held keeps its anchor index: the front's index goes below them.
    mutating func prepend(_ older: [LogEntry], replacingFirst: Bool = false) {
        if replacingFirst, !entries.isEmpty {
            entries.removeFirst()
            dropped += 1
        }
        entries.insert(contentsOf: older, at: 0)
        dropped -= older.count
    }

    /// Replaces the entries at `positions` (indices into `entries`) with `new`; entries after them move by the difference
    /// in count, so the caller moves any anchor index past them (``AppState/shiftIndices(after:by:)``).
    mutating func replace(_ positions: Range<Int>, with new: [LogEntry]) {
        entries.replaceSubrange(positions, with: new)
    }

    /// Drops the oldest `count` entries; every other entry keeps its anchor index.
    mutating func dropFirst(_ count: Int) {
        let count = min(count, entries.count)
        entries.removeFirst(count)
        dropped += count
    }

    public mutating func removeAll() {
        dropped += entries.count
        entries.removeAll()
    }

    public var count: Int { entries.count }
}
