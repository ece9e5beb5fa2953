/// One change a batch of presence updates made to a ``Roster``.
public enum RosterChange: Sendable, Hashable {
    /// A client that was not in the roster came online.
    case joined(ClientInfo)
    /// A client in the roster went offline; its last known info, with status `OFFLINE`.
    case left(ClientInfo)
    /// A client already in the roster came online again with different properties (e.g. a new nickname).
    case updated(old: ClientInfo, new: ClientInfo)

    /// The client as it is now (for `left`, as it was when it left).
    public var client: ClientInfo {
        switch self {
        case .joined(let client), .left(let client), .updated(_, let client): client
        }
    }
}
