/// The other clients online in the room, by phone number, kept in display order: display name (nickname, else
/// phone number) compared case-insensitively (`lowercased()`), ties broken by phone number, so the order is total
/// and the same on every run.
///
/// Complexity, with n clients: lookup by phone number O(1) expected; insert, remove, update, ``index(of:)`` and
/// ``subscript(position:)`` O(log n) worst case (an order-statistic AVL tree of sort keys beside the
/// ``RosterMembership``, which holds the infos); ``elements(in:)`` O(log n + k) for k rows; nickname lookup O(n); a
/// snapshot O(n log n). Every string in an info is untrusted peer input; the roster only compares it.
public struct Roster: Sendable, Sequence {
    /// A client's place in the display order.
    typealias SortKey = RosterSortKey

    /// Who is here, and the change each presence entry makes; this type adds the display order.
    public private(set) var membership = RosterMembership()
    private(set) var order = OrderedKeyTree<SortKey>()

    /// An empty roster.
    public init() {}

    /// A roster holding the `ONLINE` entries of `snapshot`.
    public init(snapshot: [ClientInfo]) {
        apply(snapshot: snapshot)
    }

    /// The roster of the clients in `membership`: O(n log n).
    public init(_ membership: RosterMembership) {
        self.membership = membership
        order = OrderedKeyTree(sortedUniqueKeys: membership.clients.map(SortKey.init).sorted())
    }

    /// How many clients are online (O(1)).
    public var count: Int { membership.count }

    /// Whether no one else is online.
    public var isEmpty: Bool { membership.count == 0 }

    /// The client with this phone number, if online.
    public subscript(phoneNumber phoneNumber: String) -> ClientInfo? { membership[phoneNumber: phoneNumber] }

    /// The client at `position` in display order; `position` must be in `0..<count`.
    public subscript(position position: Int) -> ClientInfo { membership[phoneNumber: order.key(at: position).phoneNumber]! }

    /// The position in display order of the client with this phone number.
    public func index(of phoneNumber: String) -> Int? {
        guard let client = membership[phoneNumber: phoneNumber] else { return nil }
        return order.rank(of: SortKey(client))
    }

    /// The clients at positions `range` in display order (for a pane showing rows i..<j); the range is clamped to the roster.
    public func elements(in range: Range<Int>) -> [ClientInfo] {
        let lower = Swift.min(Swift.max(range.lowerBound, 0), count)
        let upper = Swift.min(Swift.max(range.upperBound, lower), count)
        return order.keys(from: lower).prefix(upper - lower).map { membership[phoneNumber: $0.phoneNumber]! }
    }

    /// The clients whose nickname equals `nickname` ignoring case (after `lowercased()`), ordered by phone number.
    /// Nicknames are not unique: a caller addressing one client must handle several matches. O(n): this answers a
    /// command the user typed (about a millisecond with 20,000 peers), whereas an index would cost every join and leave.
    public func clients(nicknamed nickname: String) -> [ClientInfo] {
        let wanted = nickname.lowercased()
        return membership.clients.filter { $0.nickname?.lowercased() == wanted }.sorted { $0.phoneNumber < $1.phoneNumber }
    }

    /// Iterates in display order.
    public func makeIterator() -> Iterator {
        Iterator(keys: order.keys(from: 0), membership: membership)
    }

    /// An in-display-order walk over a roster.
    public struct Iterator: IteratorProtocol {
        var keys: OrderedKeyTree<SortKey>.Keys
        let membership: RosterMembership

        public mutating func next() -> ClientInfo? {
            keys.next().map { membership[phoneNumber: $0.phoneNumber]! }
        }
    }

    // MARK: - Updates

    /// Replaces the whole roster with the `ONLINE` entries of an `ACCESS_GRANTED` snapshot (a later duplicate
    /// phone number wins) and returns how it differs from before: leavers in the old order, then joiners and
    /// updates in the new order. After a reconnect this tells who came and went while we were away.
    @discardableResult
    public mutating func apply(snapshot: [ClientInfo]) -> [RosterChange] {
        var changes: [RosterChange] = []
        let keys = membership.apply(sortedSnapshot: snapshot) { changes.append($0) }
        order = OrderedKeyTree(sortedUniqueKeys: keys)
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
        guard let change = membership.apply(change: client) else { return nil }
        switch change {
        case .joined(let new):
            order.insert(SortKey(new))
        case .updated(let old, let new):
            order.remove(SortKey(old))
            order.insert(SortKey(new))
        case .left(let old):
            order.remove(SortKey(old))
        }
        return change
    }

    /// Empties the roster (e.g. when the session ends).
    public mutating func removeAll() {
        membership.removeAll()
        order.removeAll()
    }
}

extension Roster: Equatable {
    /// Rosters are equal when they hold the same clients (the order follows from them).
    public static func == (lhs: Roster, rhs: Roster) -> Bool { lhs.membership == rhs.membership }
}
