/// What the user asked to connect with: the OzWebClient `connect(serverAddress, token, properties)` arguments.
public struct ConnectRequest: Sendable, Hashable, CustomStringConvertible {
    public var address: ServerAddress
    /// A line token or an extension number (1–256 characters; the gateway enforces the limits).
    public var token: String
    /// Shared with the room (`Nickname`, `Avatar`); an extension's `Password` travels here and the gateway strips it.
    public var properties: JSONObject

    public init(address: ServerAddress, token: String, properties: JSONObject = JSONObject()) {
        self.address = address
        self.token = token
        self.properties = properties
    }

    /// The `connect` frame to send once the socket is open.
    public var frame: ClientFrame { .connect(token: token, properties: properties) }

    /// Names the address and the property keys only: the token and any password are secrets and stay out of logs.
    public var description: String {
        "ConnectRequest(\(address), token: \(token.count) characters, properties: [\(properties.keys.joined(separator: ", "))])"
    }
}

extension ConnectRequest {
    /// Whether `other` joins the same room as this request: the same server (parsed address) and the same token.
    /// A request that changes either starts a new membership; one that changes only properties (a new Nickname)
    /// rejoins the same room.
    public func isSameRoom(as other: ConnectRequest) -> Bool {
        address == other.address && token == other.token
    }
}
