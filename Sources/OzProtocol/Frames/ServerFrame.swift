import Foundation

/// A chat message as the gateway delivers it.
public struct ChatMessage: Sendable, Hashable {
    /// Unique per room; the sender's echo carries the same id (the delivery receipt).
    public var id: String
    /// The sender's phoneNumber.
    public var from: String
    /// `"*"` for the room, else the recipient's phoneNumber.
    public var to: String
    public var text: String
    /// RFC 3339 UTC with milliseconds, as sent by the gateway.
    public var ts: String
    /// The sender's properties when it sent the message (OzWire v1.1: from a gateway that keeps history).
    public var fromProperties: JSONObject?
    /// The sender's random tag for this message (OzWire v1.1), carried in every copy, live and in history.
    public var nonce: String?

    public init(
        id: String, from: String, to: String, text: String, ts: String, fromProperties: JSONObject? = nil, nonce: String? = nil
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.text = text
        self.ts = ts
        self.fromProperties = fromProperties
        self.nonce = nonce
    }

    /// The fields a `message` frame and a history entry (`StoredMessage`) share, in wire order.
    public var fields: [(key: String, value: JSONValue)] {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .string(id)), ("from", .string(from)), ("to", .string(to)), ("text", .string(text)), ("ts", .string(ts)),
        ]
        if let fromProperties { fields.append(("fromProperties", .object(fromProperties))) }
        if let nonce { fields.append(("nonce", .string(nonce))) }
        return fields
    }

    /// Decodes the shared fields of a `message` frame or a history entry.
    init(fields: FrameFields) throws(FrameError) {
        self.init(
            id: try fields.string("id"), from: try fields.string("from"), to: try fields.string("to"), text: try fields.string("text"),
            ts: try fields.string("ts"), fromProperties: try fields.optionalObject("fromProperties"), nonce: try fields.optionalString("nonce"))
    }

    /// Whether it was sent to the whole room.
    public var isRoomMessage: Bool { to == ClientFrame.room }
}

/// A frame the gateway sends to a client.
public enum ServerFrame: Sendable, Equatable {
    case accessGranted(phoneNumber: String, room: String, clients: [ClientInfo])
    case accessDenied(reason: String)
    case connectionClosed(reason: CloseReason)
    /// Presence changes in the order they happened.
    case clientStateChanged([ClientInfo])
    case message(ChatMessage)
    /// Stored room messages (OzWire v1.1): at grant time, or a page answering a `history` request.
    case history(HistoryPage)
    /// Bad input that does not end the session. `nonce`: an ozgate extension, the `nonce` of the `message` it refuses.
    case error(code: ErrorCode, message: String, nonce: String? = nil)

    /// The wire form.
    public var json: JSONValue {
        switch self {
        case .accessGranted(let number, let room, let clients):
            .object([
                "type": "connectionState", "state": "ACCESS_GRANTED", "phoneNumber": .string(number), "room": .string(room),
                "clients": .array(clients.map(\.json)),
            ])
        case .accessDenied(let reason):
            .object(["type": "connectionState", "state": "ACCESS_DENIED", "reason": .string(reason)])
        case .connectionClosed(let reason):
            .object(["type": "connectionState", "state": "CONNECTION_CLOSED", "reason": .string(reason.rawValue)])
        case .clientStateChanged(let clients):
            .object(["type": "clientStateChanged", "clients": .array(clients.map(\.json))])
        case .message(let m):
            .object(JSONObject(uniqueMembers: [(key: "type", value: "message")] + m.fields))
        case .history(let page):
            page.json
        case .error(let code, let message, let nonce):
            .object(
                JSONObject(
                    uniqueMembers: [
                        (key: "type", value: "error"), (key: "code", value: .string(code.rawValue)), (key: "message", value: .string(message)),
                    ]
                        + (nonce.map { [(key: "nonce", value: .string($0))] } ?? [])))
        }
    }

    /// The compact JSON text.
    public var encoded: String { JSONWriter.string(json) }

    /// Decodes a frame from its JSON text. Unknown fields are ignored.
    ///
    /// The `clients` array is decoded element by element as it is parsed (see `JSONParser.parse(_:streamingArray:to:)`),
    /// so a 10,000-peer snapshot never exists as a JSON tree beside the `ClientInfo`s made from it.
    public init<Bytes: Collection>(bytes: Bytes) throws(FrameError) where Bytes.Element == UInt8 {
        self = try Self.decode(bytes: bytes).frame
    }

    /// Decodes a frame as ``init(bytes:)`` does, and also tells whether it is an `ACCESS_GRANTED` from a gateway that
    /// keeps history (`"history": true`, OzWire v1.1): only such a gateway sends a `history` frame at grant time.
    public static func decode<Bytes: Collection>(bytes: Bytes) throws(FrameError) -> (frame: ServerFrame, keepsHistory: Bool)
    where Bytes.Element == UInt8 {
        var clients = StreamedClients()
        let json = try parseFrameJSON(bytes) { clients.add($0) }
        let frame = try ServerFrame(json: json, streamed: clients)
        guard case .accessGranted = frame, case .object(let object) = json else { return (frame, false) }
        return (frame, object["history"] == .bool(true))
    }

    /// Decodes a frame from a parsed JSON value.
    public init(json: JSONValue) throws(FrameError) {
        try self.init(json: json, streamed: nil)
    }

    /// The `clients` elements decoded while parsing; the first one that is not a valid `ClientInfo` stops the
    /// decoding and is reported only if the frame's type has clients (elsewhere an unknown field is ignored).
    private struct StreamedClients {
        var clients: [ClientInfo] = []
        var failure: FrameError?

        mutating func add(_ value: JSONValue) {
            guard failure == nil else { return }
            do {
                clients.append(try ClientInfo(json: value))
            } catch {
                failure = error
            }
        }

        func get() throws(FrameError) -> [ClientInfo] {
            if let failure { throw failure }
            return clients
        }
    }

    /// The frame's clients: from `streamed` when the parser took them out of the tree (the member then reads as an
    /// empty array), else from the tree.
    private static func clients(_ fields: FrameFields, streamed: StreamedClients?) throws(FrameError) -> [ClientInfo] {
        let inTree = try fields.array("clients")
        if let streamed, inTree.isEmpty { return try streamed.get() }
        return try inTree.map { (value) throws(FrameError) in try ClientInfo(json: value) }
    }

    private init(json: JSONValue, streamed: StreamedClients?) throws(FrameError) {
        let (type, fields) = try frameType(json)
        switch type {
        case "connectionState":
            let state = try fields.string("state")
            switch state {
            case "ACCESS_GRANTED":
                let clients = try Self.clients(fields, streamed: streamed)
                self = .accessGranted(phoneNumber: try fields.string("phoneNumber"), room: try fields.string("room"), clients: clients)
            case "ACCESS_DENIED":
                self = .accessDenied(reason: try fields.optionalString("reason") ?? "")
            case "CONNECTION_CLOSED":
                self = .connectionClosed(reason: CloseReason(rawValue: try fields.optionalString("reason") ?? ""))
            default:
                throw FrameError(.badFrame, "unknown connection state \"\(state)\"")
            }
        case "clientStateChanged":
            self = .clientStateChanged(try Self.clients(fields, streamed: streamed))
        case "message":
            self = .message(try ChatMessage(fields: fields))
        case "history":
            self = .history(try HistoryPage(fields: fields))
        case "error":
            // A `nonce` that is not a string is ignored: it only helps name the refused message.
            let nonce = (try? fields.optionalString("nonce")) ?? nil
            self = .error(code: ErrorCode(rawValue: try fields.string("code")), message: try fields.optionalString("message") ?? "", nonce: nonce)
        default:
            throw FrameError(.unknownType, "unknown frame type \"\(type)\"")
        }
    }
}

/// Formats and reads the protocol's timestamps: RFC 3339, UTC, milliseconds (`2026-11-27T12:00:00.123Z`).
public enum WireTimestamp {
    /// The wire text for a date.
    public static func string(from date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis.quotientAndRemainder(dividingBy: 1000)
        var time = time_t(seconds.quotient)
        var parts = tm()
        gmtime_r(&time, &parts)
        let ms = Int(seconds.remainder < 0 ? seconds.remainder + 1000 : seconds.remainder)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), ms)
    }

    /// Parses a wire timestamp (fractional seconds optional); nil when malformed.
    public static func date(from text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? withFraction.parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
