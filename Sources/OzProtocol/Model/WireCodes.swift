/// An `error` frame's `code`. Known codes are constants; unknown ones from a newer gateway are kept as text.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let badJSON = ErrorCode(rawValue: "BAD_JSON")
    public static let badFrame = ErrorCode(rawValue: "BAD_FRAME")
    public static let unknownType = ErrorCode(rawValue: "UNKNOWN_TYPE")
    public static let notConnected = ErrorCode(rawValue: "NOT_CONNECTED")
    public static let alreadyConnected = ErrorCode(rawValue: "ALREADY_CONNECTED")
    public static let unknownRecipient = ErrorCode(rawValue: "UNKNOWN_RECIPIENT")
    public static let rateLimited = ErrorCode(rawValue: "RATE_LIMITED")
    /// A `history` request named a `before` id the gateway does not know (OzWire v1.1).
    public static let unknownMessage = ErrorCode(rawValue: "UNKNOWN_MESSAGE")
    /// The gateway cannot take the message now (a cluster node whose store is unreachable); it was not sent.
    public static let unavailable = ErrorCode(rawValue: "UNAVAILABLE")
}

/// Why the gateway ended a granted session (`CONNECTION_CLOSED`'s `reason`). Unknown reasons are kept as text.
public struct CloseReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The client asked to disconnect.
    public static let client = CloseReason(rawValue: "client")
    /// The gateway is shutting down.
    public static let shutdown = CloseReason(rawValue: "shutdown")
    /// Another login as the same extension took over; never retried automatically.
    public static let replaced = CloseReason(rawValue: "replaced")
    /// The client stopped answering pings.
    public static let idle = CloseReason(rawValue: "idle")
    /// The client could not keep up with the room.
    public static let slow = CloseReason(rawValue: "slow")
    /// An operator removed the client; never retried automatically.
    public static let kicked = CloseReason(rawValue: "kicked")
}

/// The protocol's limits (PROTOCOL.md), shared by gateway and client.
public enum WireLimits {
    /// Longest token, in characters.
    public static let maxTokenLength = 256
    /// Largest `properties` object, serialized, in bytes.
    public static let maxPropertiesBytes = 4096
    /// Longest message text, in Unicode scalars.
    public static let maxTextScalars = 4096
    /// Largest message a client may send.
    public static let maxClientMessageBytes = 64 * 1024
    /// Largest message a client must accept from the gateway.
    public static let maxServerMessageBytes = 16 * 1024 * 1024
    /// Default gateway port (the OzWebClient media-gateway port).
    public static let defaultPort = 7779
}
