/// A frame a client sends to the gateway.
public enum ClientFrame: Sendable, Equatable {
    /// Log in with a line token or extension number, and the properties to share with the room.
    case connect(token: String, properties: JSONObject)
    /// A chat message to the room (`to == "*"`) or to one member's phoneNumber.
    case message(to: String, text: String)
    /// End the session; the gateway answers `CONNECTION_CLOSED` reason `client`.
    case disconnect

    /// The `to` value addressing the whole room.
    public static let room = "*"

    /// The wire form.
    public var json: JSONValue {
        switch self {
        case .connect(let token, let properties):
            .object(["type": "connect", "token": .string(token), "properties": .object(properties)])
        case .message(let to, let text):
            .object(["type": "message", "to": .string(to), "text": .string(text)])
        case .disconnect:
            .object(["type": "disconnect"])
        }
    }

    /// The compact JSON text.
    public var encoded: String { JSONWriter.string(json) }

    /// Decodes a frame from its JSON text. Unknown fields are ignored; limits on values are the gateway's to check.
    public init<Bytes: Collection>(bytes: Bytes) throws(FrameError) where Bytes.Element == UInt8 {
        try self.init(json: try parseFrameJSON(bytes))
    }

    /// Decodes a frame from a parsed JSON value.
    public init(json: JSONValue) throws(FrameError) {
        let (type, fields) = try frameType(json)
        switch type {
        case "connect":
            self = .connect(token: try fields.string("token"), properties: try fields.optionalObject("properties") ?? JSONObject())
        case "message":
            self = .message(to: try fields.string("to"), text: try fields.string("text"))
        case "disconnect":
            self = .disconnect
        default:
            throw FrameError(.unknownType, "unknown frame type \"\(type)\"")
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
