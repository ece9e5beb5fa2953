/// How a granted session ended (the cause behind a client-side `CONNECTION_CLOSED`).
public enum SessionEnd: Sendable, Hashable, CustomStringConvertible {
    /// The gateway sent `connectionState CONNECTION_CLOSED` with this reason.
    case gateway(CloseReason)
    /// The socket closed or failed without a `CONNECTION_CLOSED` frame; the text says why.
    case socketLost(String)
    /// The gateway stopped answering our pings.
    case pongTimeout
    /// The user disconnected (or cancelled a connection attempt).
    case userDisconnect

    /// Whether the reconnect policy retries after this end: not after `replaced` (two clients would evict each other
    /// forever), `kicked`, `client` (someone asked to disconnect) or the user's own disconnect.
    public var allowsRetry: Bool {
        switch self {
        case .gateway(let reason): ![CloseReason.replaced, .kicked, .client].contains(reason)
        case .socketLost, .pongTimeout: true
        case .userDisconnect: false
        }
    }

    /// A sentence fragment for the UI, e.g. "the gateway is shutting down".
    public var description: String {
        switch self {
        case .gateway(let reason):
            switch reason {
            case .client: "the session was closed at the client's request"
            case .shutdown: "the gateway is shutting down"
            case .replaced: "another login as the same extension replaced this one"
            case .idle: "the gateway stopped hearing from this client"
            case .slow: "this client could not keep up with the room"
            case .kicked: "an operator removed this client"
            default: "the gateway closed the session (\(reason.rawValue))"
            }
        case .socketLost(let why): "the connection was lost: \(why)"
        case .pongTimeout: "the gateway stopped answering pings"
        case .userDisconnect: "you disconnected"
        }
    }
}
