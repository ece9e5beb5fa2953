/// Who else is online, by phone number, with no display order: all a session needs to tell real changes from
/// repeats (an `ONLINE` for a client present with the same properties, an `OFFLINE` for one not present) and, after a
/// reconnect, who came and went. One dictionary operation per presence entry; ``Roster`` adds the display order on
/// top, for a user interface. Every string in it is untrusted peer input.
public struct RosterMembership: Sendable, Equatable {
    /// The clients online, by phone number (each with status `ONLINE`).
    public private(set) var clients: [String: ClientInfo] = [:]

    /// An empty membership.
    public init() {}

    /// How many clients are online.
    public var count: Int { clients.count }

    /// The client with this phone number, if online.
    public subscript(phoneNumber phoneNumber: String) -> ClientInfo? { clients[phoneNumber] }

    /// Applies one presence entry and returns what it changed, nil when nothing: `ONLINE` adds (`joined`) or changes
    /// properties (`updated`); `OFFLINE` removes (`left`, with the last properties and status `OFFLINE`).
    @discardableResult
    public mutating func apply(change client: ClientInfo) -> RosterChange? {
        switch client.status {
        case .online:
            guard let old = clients.updateValue(client, forKey: client.phoneNumber) else { return .joined(client) }
            return old.properties == client.properties ? nil : .updated(old: old, new: client)
        case .offline:
            guard let old = clients.removeValue(forKey: client.phoneNumber) else { return nil }
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
        apply(sortedSnapshot: snapshot).changes
    }

    /// `apply(snapshot:)`, also returning the new clients' sort keys in display order (a ``Roster`` builds its tree
    /// from them without sorting twice).
    mutating func apply(sortedSnapshot snapshot: [ClientInfo]) -> (changes: [RosterChange], keys: [RosterSortKey]) {
        var fresh: [String: ClientInfo] = [:]
        fresh.reserveCapacity(snapshot.count)
        for client in snapshot where client.status == .online { fresh[client.phoneNumber] = client }
        let keys = fresh.values.map(RosterSortKey.init).sorted()

        var changes: [RosterChange] = []
        let leavers = clients.values.filter { fresh[$0.phoneNumber] == nil }.map(RosterSortKey.init).sorted()
        for key in leavers { changes.append(.left(Self.offline(clients[key.phoneNumber]!))) }
        for key in keys {
            let new = fresh[key.phoneNumber]!
            if let old = clients[key.phoneNumber] {
                if old.properties != new.properties { changes.append(.updated(old: old, new: new)) }
            } else {
                changes.append(.joined(new))
            }
        }
        clients = fresh
        return (changes, keys)
    }

    /// Empties it (e.g. when the session ends).
    public mutating func removeAll() {
        clients = [:]
    }

    private static func offline(_ client: ClientInfo) -> ClientInfo {
        var copy = client
        copy.status = .offline
        return copy
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
