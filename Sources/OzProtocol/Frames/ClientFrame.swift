/// A frame a client sends to the gateway.
public enum ClientFrame: Sendable, Equatable {
    /// Log in with a line token or extension number, and the properties to share with the room; `recall` asks for
    /// the room's history at grant time (OzWire v1.1).
    case connect(token: String, properties: JSONObject, recall: HistoryRecall = .none)
    /// A chat message to the room (`to == "*"`) or to one member's phoneNumber, with an optional random `nonce`.
    case message(to: String, text: String, nonce: String? = nil)
    /// Asks for a page of the room's stored messages (OzWire v1.1).
    case history(HistoryQuery)
    /// End the session; the gateway answers `CONNECTION_CLOSED` reason `client`.
    case disconnect

    /// The `to` value addressing the whole room.
    public static let room = "*"

    /// The wire form.
    public var json: JSONValue {
        switch self {
        case .connect(let token, let properties, let recall):
            .object(
                JSONObject(
                    uniqueMembers: [
                        (key: "type", value: "connect"), (key: "token", value: .string(token)), (key: "properties", value: .object(properties)),
                    ]
                        + recall.fields))
        case .message(let to, let text, let nonce):
            .object(
                JSONObject(
                    uniqueMembers: [(key: "type", value: "message"), (key: "to", value: .string(to)), (key: "text", value: .string(text))]
                        + (nonce.map { [(key: "nonce", value: JSONValue.string($0))] } ?? [])))
        case .history(let query):
            query.json
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
            self = .connect(
                token: try fields.string("token"), properties: try fields.optionalObject("properties") ?? JSONObject(),
                recall: try HistoryRecall(fields: fields))
        case "message":
            let nonce = try fields.optionalString("nonce")
            if let nonce, !MessageNonce.isValid(nonce) {
                throw FrameError(.badFrame, "message: nonce must be 1–\(MessageNonce.maxScalars) Unicode scalars, not \(nonce.unicodeScalars.count)")
            }
            self = .message(to: try fields.string("to"), text: try fields.string("text"), nonce: nonce)
        case "history":
            self = .history(try HistoryQuery(fields: fields))
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
