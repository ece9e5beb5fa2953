/// Who else is online, by phone number, with no display order: all a session needs to tell real changes from
/// repeats (an `ONLINE` for a client present with the same properties, an `OFFLINE` for one not present) and, after a
/// reconnect, who came and went. One hash lookup per presence entry; ``Roster`` adds the display order on top, for a
/// user interface. Every string in it is untrusted peer input.
///
/// The clients sit in one dense array, found by phone number through a ``PositionIndex`` of 4-byte slots (about 40
/// bytes a client, where a dictionary keyed by phone number took about 100).
public struct RosterMembership: Sendable, Equatable {
    /// The clients online (each with status `ONLINE`), in no particular order.
    private var storage: [ClientInfo] = []
    private var index = PositionIndex<String>()

    /// An empty membership.
    public init() {}

    /// The clients online (each with status `ONLINE`), in no particular order.
    public var clients: some RandomAccessCollection<ClientInfo> { storage }

    /// How many clients are online.
    public var count: Int { storage.count }

    /// The client with this phone number, if online.
    public subscript(phoneNumber phoneNumber: String) -> ClientInfo? {
        index.position(of: phoneNumber, in: storage, key: Self.key).map { storage[$0] }
    }

    /// Applies one presence entry and returns what it changed, nil when nothing: `ONLINE` adds (`joined`) or changes
    /// properties (`updated`); `OFFLINE` removes (`left`, with the last properties and status `OFFLINE`).
    @discardableResult
    public mutating func apply(change client: ClientInfo) -> RosterChange? {
        switch client.status {
        case .online:
            guard let old = index.insert(client, into: &storage, key: Self.key) else { return .joined(client) }
            return old.properties == client.properties ? nil : .updated(old: old, new: client)
        case .offline:
            guard let old = index.remove(client.phoneNumber, from: &storage, key: Self.key) else { return nil }
            return .left(Self.offline(old))
        }
    }

    /// Applies `clientStateChanged` entries in order; only the real changes are returned.
    @discardableResult
    public mutating func apply(changes: [ClientInfo]) -> [RosterChange] {
        changes.compactMap { apply(change: $0) }
    }

    /// Replaces everything with the `ONLINE` entries of an `ACCESS_GRANTED` snapshot (a later duplicate phone number
    /// wins) and returns the difference: leavers in their old display order, then joiners and updates in the new one.
    @discardableResult
    public mutating func apply(snapshot: [ClientInfo]) -> [RosterChange] {
        var changes: [RosterChange] = []
        apply(snapshot: snapshot) { changes.append($0) }
        return changes
    }

    /// `apply(snapshot:)` leaving out the entry for `excluded` (our own number), handing each change to `report` as it
    /// is found rather than collecting them: a 10,000-peer grant is 10,000 joins.
    public mutating func apply(snapshot: [ClientInfo], excluding excluded: String? = nil, report: (RosterChange) -> Void) {
        _ = apply(sortedSnapshot: snapshot, excluding: excluded, report: report)
    }

    /// `apply(snapshot:excluding:report:)`, also returning the new clients' sort keys in display order (a ``Roster``
    /// builds its tree from them without sorting twice).
    mutating func apply(sortedSnapshot snapshot: [ClientInfo], excluding excluded: String? = nil, report: (RosterChange) -> Void)
        -> [RosterSortKey]
    {
        func kept(_ client: ClientInfo) -> Bool { client.status == .online && client.phoneNumber != excluded }
        let online = snapshot.count(where: kept)
        var fresh = RosterMembership()
        fresh.storage.reserveCapacity(online)
        fresh.index = PositionIndex(reservingCapacityFor: online)
        for client in snapshot where kept(client) { fresh.index.insert(client, into: &fresh.storage, key: Self.key) }
        let keys = fresh.storage.map(RosterSortKey.init).sorted()

        let leavers = storage.filter { fresh[phoneNumber: $0.phoneNumber] == nil }.map(RosterSortKey.init).sorted()
        for key in leavers { report(.left(Self.offline(self[phoneNumber: key.phoneNumber]!))) }
        for key in keys {
            let new = fresh[phoneNumber: key.phoneNumber]!
            if let old = self[phoneNumber: key.phoneNumber] {
                if old.properties != new.properties { report(.updated(old: old, new: new)) }
            } else {
                report(.joined(new))
            }
        }
        self = fresh
        return keys
    }

    /// Empties it (e.g. when the session ends).
    public mutating func removeAll() {
        self = RosterMembership()
    }

    /// Memberships are equal when they hold the same clients, whatever order they are stored in.
    public static func == (lhs: RosterMembership, rhs: RosterMembership) -> Bool {
        lhs.count == rhs.count && lhs.storage.allSatisfy { rhs[phoneNumber: $0.phoneNumber] == $0 }
    }

    /// How the index finds a client's key.
    private static func key(_ client: ClientInfo) -> String { client.phoneNumber }

    private static func offline(_ client: ClientInfo) -> ClientInfo {
        var copy = client
        copy.status = .offline
        return copy
    }

    /// Checks the index against the storage (for tests); returns the first problem found.
    func invariantViolation() -> String? {
        index.invariantViolation(storage, key: Self.key)
    }
}

/// A client's place in the display order: display name (nickname, else phone number) lowercased, ties broken by
/// phone number, so the order is total and the same on every run.
struct RosterSortKey: Comparable, Sendable, CustomStringConvertible {
    /// The display name, lowercased.
    var name: String
    var phoneNumber: String

    init(_ client: ClientInfo) {
        name = client.displayName.lowercased()
        phoneNumber = client.phoneNumber
    }

    static func < (lhs: RosterSortKey, rhs: RosterSortKey) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.phoneNumber < rhs.phoneNumber
    }

    var description: String { "\(name)/\(phoneNumber)" }
}
