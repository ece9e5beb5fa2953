/// The connection's state as a client reports it: PROTOCOL.md's four states plus `CONNECTING`.
///
/// A state that ended a connection carries the reconnect the policy scheduled (`retry`), or nil when the policy
/// does not retry and the UI should ask the user instead.
public enum ConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// Opening the socket or waiting for the gateway's answer to `connect`; `attempt` is 0 when the user asked,
    /// else the automatic retry's number (``RetryPlan/attempt``); `server` is the one of the room's servers tried.
    case connecting(attempt: Int, server: ServerChoice)
    /// The gateway admitted us as `phoneNumber` to the line `room`.
    case accessGranted(phoneNumber: String, room: String)
    /// The gateway refused the token or password; never retried automatically.
    case accessDenied(reason: String)
    /// No session was established: DNS, refused, timeout, TLS, bad handshake, or a drop before any `connectionState`.
    case connectionFailed(reason: String, retry: RetryPlan?)
    /// A granted session ended.
    case connectionClosed(reason: SessionEnd, retry: RetryPlan?)

    /// The protocol's name for the state: `CONNECTING`, `ACCESS_GRANTED`, `ACCESS_DENIED`, `CONNECTION_FAILED`, `CONNECTION_CLOSED`.
    public var wireName: String {
        switch self {
        case .connecting: "CONNECTING"
        case .accessGranted: "ACCESS_GRANTED"
        case .accessDenied: "ACCESS_DENIED"
        case .connectionFailed: "CONNECTION_FAILED"
        case .connectionClosed: "CONNECTION_CLOSED"
        }
    }

    /// The scheduled automatic reconnect, if any.
    public var retry: RetryPlan? {
        switch self {
        case .connectionFailed(_, let retry), .connectionClosed(_, let retry): retry
        case .connecting, .accessGranted, .accessDenied: nil
        }
    }

    /// Why the connection is down, for the UI; nil while connecting or granted.
    public var reason: String? {
        switch self {
        case .connecting, .accessGranted: nil
        case .accessDenied(let reason), .connectionFailed(let reason, _): reason
        case .connectionClosed(let end, _): end.description
        }
    }

    /// Whether a session is on its way without the user: connecting, or a retry scheduled.
    public var isOnItsWay: Bool {
        switch self {
        case .connecting: true
        case .accessGranted, .accessDenied: false
        case .connectionFailed, .connectionClosed: retry != nil
        }
    }

    /// Whether the connection is down and nothing will happen until the user acts (connect again or quit).
    public var needsUser: Bool {
        switch self {
        case .connecting, .accessGranted: false
        case .accessDenied: true
        case .connectionFailed, .connectionClosed: retry == nil
        }
    }

    /// The wire name followed by the reason, e.g. `CONNECTION_CLOSED: the gateway is shutting down`.
    public var description: String {
        reason.map { "\(wireName): \($0)" } ?? wireName
    }
}
