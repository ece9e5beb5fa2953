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
    typealias SortKey = RosterSortKey

    /// Who is here, and the change each presence entry makes; this type adds the order and the nickname index.
    public private(set) var membership = RosterMembership()
    private(set) var order = OrderedKeyTree<SortKey>()
    /// Lowercased nickname → the phone numbers using it. Most nicknames have one holder, kept inline: a `Set` per
    /// nickname cost an allocation per peer (a quarter of the roster's memory with 15,000 peers).
    private var nicknames: [String: NicknameHolders] = [:]

    /// An empty roster.
    public init() {}

    /// A roster holding the `ONLINE` entries of `snapshot`.
    public init(snapshot: [ClientInfo]) {
        apply(snapshot: snapshot)
    }

    /// The roster of the clients in `membership`: O(n log n).
    public init(_ membership: RosterMembership) {
        apply(snapshot: Array(membership.clients.values))
    }

    private var clients: [String: ClientInfo] { membership.clients }

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
        let clients = self.clients
        return order.keys(from: lower).prefix(upper - lower).map { clients[$0.phoneNumber]! }
    }

    /// The clients whose nickname equals `nickname` ignoring case (after `lowercased()`), ordered by phone number.
    /// Nicknames are not unique: a caller addressing one client must handle several matches.
    public func clients(nicknamed nickname: String) -> [ClientInfo] {
        switch nicknames[nickname.lowercased()] {
        case nil: return []
        case .one(let number): return [clients[number]!]
        case .many(let numbers): return numbers.sorted().map { clients[$0]! }
        }
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
        let (changes, keys) = membership.apply(sortedSnapshot: snapshot)
        order = OrderedKeyTree(sortedUniqueKeys: keys)
        nicknames = [:]
        for client in clients.values { indexNickname(of: client) }
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
            index(new)
        case .updated(let old, let new):
            unindex(old)
            index(new)
        case .left(let old):
            unindex(old)
        }
        return change
    }

    /// Empties the roster (e.g. when the session ends).
    public mutating func removeAll() {
        membership.removeAll()
        order.removeAll()
        nicknames = [:]
    }

    private mutating func index(_ client: ClientInfo) {
        order.insert(SortKey(client))
        indexNickname(of: client)
    }

    private mutating func unindex(_ client: ClientInfo) {
        order.remove(SortKey(client))
        guard let nickname = client.nickname?.lowercased() else { return }
        if nicknames[nickname]?.remove(client.phoneNumber) == true { nicknames[nickname] = nil }
    }

    private mutating func indexNickname(of client: ClientInfo) {
        guard let nickname = client.nickname?.lowercased() else { return }
        nicknames[nickname, default: .one(client.phoneNumber)].insert(client.phoneNumber)
    }
}

extension Roster: Equatable {
    /// Rosters are equal when they hold the same clients (the order follows from them).
    public static func == (lhs: Roster, rhs: Roster) -> Bool { lhs.membership == rhs.membership }
}

/// The phone numbers sharing one nickname: usually one, stored without a collection. Mutated in place, so that a
/// room where thousands share one nickname does not copy the set on every join.
enum NicknameHolders: Sendable {
    case one(String)
    case many(Set<String>)

    mutating func insert(_ number: String) {
        switch self {
        case .one(let held):
            if held != number { self = .many([held, number]) }
        case .many(var numbers):
            self = .one("")  // drop our reference so the set is uniquely held and grows in place
            numbers.insert(number)
            self = .many(numbers)
        }
    }

    /// Removes `number`; true when no holder is left.
    mutating func remove(_ number: String) -> Bool {
        switch self {
        case .one(let held):
            return held == number
        case .many(var numbers):
            self = .one("")
            numbers.remove(number)
            if numbers.count == 1, let last = numbers.first { self = .one(last) } else { self = .many(numbers) }
            return numbers.isEmpty
        }
    }
}
