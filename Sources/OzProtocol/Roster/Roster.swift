/// The other clients online in the room, by phone number, kept in display order: display name (nickname, else
/// phone number) compared case-insensitively (`lowercased()`), ties broken by phone number, so the order is total
/// and the same on every run.
///
/// Complexity, with n clients: lookup by phone number O(1); insert, remove, update, ``index(of:)`` and
/// ``subscript(position:)`` O(log n) worst case (an order-statistic AVL tree of sort keys beside a dictionary of
/// infos); ``elements(in:)`` O(log n + k) for k rows; nickname lookup O(1) plus the matches; a snapshot
/// O(n log n). Every string in an info is untrusted peer input; the roster only compares it.
public struct Roster: Sendable, Sequence {
    /// A client's place in the display order.
    struct SortKey: Comparable, Sendable, CustomStringConvertible {
        /// The display name, lowercased.
        var name: String
        var phoneNumber: String

        init(_ client: ClientInfo) {
            name = client.displayName.lowercased()
            phoneNumber = client.phoneNumber
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            lhs.name != rhs.name ? lhs.name < rhs.name : lhs.phoneNumber < rhs.phoneNumber
        }

        var description: String { "\(name)/\(phoneNumber)" }
    }

    private var clients: [String: ClientInfo] = [:]
    private(set) var order = OrderedKeyTree<SortKey>()
    /// Lowercased nickname → the phone numbers using it.
    private var nicknames: [String: Set<String>] = [:]

    /// An empty roster.
    public init() {}

    /// A roster holding the `ONLINE` entries of `snapshot`.
    public init(snapshot: [ClientInfo]) {
        apply(snapshot: snapshot)
    }

    /// How many clients are online (O(1)).
    public var count: Int { clients.count }

    /// Whether no one else is online.
    public var isEmpty: Bool { clients.isEmpty }

    /// The client with this phone number, if online.
    public subscript(phoneNumber phoneNumber: String) -> ClientInfo? { clients[phoneNumber] }

    /// The client at `position` in display order; `position` must be in `0..<count`.
    public subscript(position position: Int) -> ClientInfo { clients[order.key(at: position).phoneNumber]! }

    /// The position in display order of the client with this phone number.
    public func index(of phoneNumber: String) -> Int? {
        guard let client = clients[phoneNumber] else { return nil }
        return order.rank(of: SortKey(client))
    }

    /// The clients at positions `range` in display order (for a pane showing rows i..<j); the range is clamped to the roster.
    public func elements(in range: Range<Int>) -> [ClientInfo] {
        let lower = Swift.min(Swift.max(range.lowerBound, 0), count)
        let upper = Swift.min(Swift.max(range.upperBound, lower), count)
        return order.keys(from: lower).prefix(upper - lower).map { clients[$0.phoneNumber]! }
    }

    /// The clients whose nickname equals `nickname` ignoring case (after `lowercased()`), ordered by phone number.
    /// Nicknames are not unique: a caller addressing one client must handle several matches.
    public func clients(nicknamed nickname: String) -> [ClientInfo] {
        guard let numbers = nicknames[nickname.lowercased()] else { return [] }
        return numbers.sorted().map { clients[$0]! }
    }

    /// Iterates in display order.
    public func makeIterator() -> Iterator {
        Iterator(keys: order.keys(from: 0), clients: clients)
    }

    /// An in-display-order walk over a roster.
    public struct Iterator: IteratorProtocol {
        var keys: OrderedKeyTree<SortKey>.Keys
        let clients: [String: ClientInfo]

        public mutating func next() -> ClientInfo? {
            keys.next().map { clients[$0.phoneNumber]! }
        }
    }

    // MARK: - Updates

    /// Replaces the whole roster with the `ONLINE` entries of an `ACCESS_GRANTED` snapshot (a later duplicate
    /// phone number wins) and returns how it differs from before: leavers in the old order, then joiners and
    /// updates in the new order. After a reconnect this tells who came and went while we were away.
    @discardableResult
    public mutating func apply(snapshot: [ClientInfo]) -> [RosterChange] {
        var fresh: [String: ClientInfo] = [:]
        for client in snapshot where client.status == .online { fresh[client.phoneNumber] = client }
        let keys = fresh.values.map(SortKey.init).sorted()

        var changes: [RosterChange] = []
        for client in self where fresh[client.phoneNumber] == nil { changes.append(.left(Self.offline(client))) }
        for key in keys {
            let new = fresh[key.phoneNumber]!
            if let old = clients[key.phoneNumber] {
                if old.properties != new.properties { changes.append(.updated(old: old, new: new)) }
            } else {
                changes.append(.joined(new))
            }
        }

        clients = fresh
        order = OrderedKeyTree(sortedUniqueKeys: keys)
        nicknames = [:]
        for client in fresh.values { indexNickname(of: client) }
        return changes
    }

    /// Applies `clientStateChanged` entries in order: `ONLINE` adds or updates, `OFFLINE` removes. Returns only what
    /// actually changed: an `ONLINE` for a client already present with the same properties, or an `OFFLINE` for a
    /// client not present, is dropped (so presence replayed after a reconnect is not reported twice).
    @discardableResult
    public mutating func apply(changes: [ClientInfo]) -> [RosterChange] {
        changes.compactMap { apply(change: $0) }
    }

    /// Applies one presence entry; nil when it changed nothing.
    @discardableResult
    public mutating func apply(change client: ClientInfo) -> RosterChange? {
        switch client.status {
        case .online:
            guard let old = clients[client.phoneNumber] else {
                insert(client)
                return .joined(client)
            }
            guard old.properties != client.properties else { return nil }
            remove(old)
            insert(client)
            return .updated(old: old, new: client)
        case .offline:
            guard let old = clients[client.phoneNumber] else { return nil }
            remove(old)
            return .left(Self.offline(old))
        }
    }

    /// Empties the roster (e.g. when the session ends).
    public mutating func removeAll() {
        clients = [:]
        order.removeAll()
        nicknames = [:]
    }

    private mutating func insert(_ client: ClientInfo) {
        var stored = client
        stored.status = .online
        clients[client.phoneNumber] = stored
        order.insert(SortKey(stored))
        indexNickname(of: stored)
    }

    private mutating func remove(_ client: ClientInfo) {
        clients[client.phoneNumber] = nil
        order.remove(SortKey(client))
        guard let nickname = client.nickname?.lowercased() else { return }
        nicknames[nickname]?.remove(client.phoneNumber)
        if nicknames[nickname]?.isEmpty == true { nicknames[nickname] = nil }
    }

    private mutating func indexNickname(of client: ClientInfo) {
        guard let nickname = client.nickname?.lowercased() else { return }
        nicknames[nickname, default: []].insert(client.phoneNumber)
    }

    private static func offline(_ client: ClientInfo) -> ClientInfo {
        var copy = client
        copy.status = .offline
        return copy
    }
}

extension Roster: Equatable {
    /// Rosters are equal when they hold the same clients (the order follows from them).
    public static func == (lhs: Roster, rhs: Roster) -> Bool { lhs.clients == rhs.clients }
}
