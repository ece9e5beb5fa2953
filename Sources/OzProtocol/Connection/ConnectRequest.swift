/// What the user asked to connect with: the OzWebClient `connect(serverAddress, token, properties)` arguments, with
/// one or more servers for the room (cluster nodes serving the same rooms), tried in turn.
public struct ConnectRequest: Sendable, Hashable, CustomStringConvertible {
    /// The room's servers, in the order they are tried; never empty. The first is tried first.
    public private(set) var addresses: [ServerAddress]
    /// A line token or an extension number (1–256 characters; the gateway enforces the limits).
    public var token: String
    /// Shared with the room (`Nickname`, `Avatar`); an extension's `Password` travels here and the gateway strips it.
    /// It goes to every server of ``addresses``: they are the servers the user gave for this room.
    public var properties: JSONObject

    /// A request for a room on one server.
    public init(address: ServerAddress, token: String, properties: JSONObject = JSONObject()) {
        self.init(addresses: [address], token: token, properties: properties)
    }

    /// A request for a room served by several servers; `addresses` must not be empty.
    public init(addresses: [ServerAddress], token: String, properties: JSONObject = JSONObject()) {
        precondition(!addresses.isEmpty, "a ConnectRequest needs at least one server")
        self.addresses = addresses
        self.token = token
        self.properties = properties
    }

    /// The first server.
    public var address: ServerAddress { addresses[0] }

    /// The `connect` frame to send once the socket is open.
    public var frame: ClientFrame { .connect(token: token, properties: properties) }

    /// Names the addresses and the property keys only: the token and any password are secrets and stay out of logs.
    public var description: String {
        let servers = addresses.map(\.description).joined(separator: ", ")
        return "ConnectRequest(\(servers), token: \(token.count) characters, properties: [\(properties.keys.joined(separator: ", "))])"
    }
}

extension ConnectRequest {
    /// Whether `other` joins the same room as this request: the same token on a server that both name (message ids
    /// are the same on every node of a cluster, so a resume on any of them is a resume). A request that changes the
    /// token, or names none of the same servers, starts a new membership; one that changes only properties (a new
    /// Nickname) or adds or drops a fallback rejoins the same room.
    public func isSameRoom(as other: ConnectRequest) -> Bool {
        token == other.token && addresses.contains { other.addresses.contains($0) }
    }
}
