/// What a `connect` asks the gateway to send from the room's history right after `ACCESS_GRANTED` (OzWire v1.1).
public enum HistoryRecall: Sendable, Hashable {
    /// Nothing (a v1 `connect`).
    case none
    /// The room's newest N stored messages (`history`: 0–500; 0 sends no frame).
    case newest(Int)
    /// Every stored message after this id: a resume after a drop (`since`; wins over `history`).
    case since(String)

    /// Most messages a `connect` may ask for with `history`.
    public static let maxNewest = 500
}

/// A `history` request from a granted client: a page of messages older than `before` (or the newest page).
public struct HistoryQuery: Sendable, Hashable {
    /// The id the page ends before; nil asks for the newest page.
    public var before: String?
    /// 1–200 messages (default 50).
    public var limit: Int
    /// Echoed in the answer (and in an `error` about the request): up to 64 characters.
    public var ref: String?

    /// Largest page a request may ask for.
    public static let maxLimit = 200
    /// The page size when the request names none.
    public static let defaultLimit = 50
    /// Longest `ref`, in characters.
    public static let maxRefLength = 64

    public init(before: String? = nil, limit: Int = HistoryQuery.defaultLimit, ref: String? = nil) {
        self.before = before
        self.limit = limit
        self.ref = ref
    }
}

/// A `history` frame: stored room messages, oldest first.
public struct HistoryPage: Sendable, Hashable {
    public var messages: [ChatMessage]
    /// Whether older stored messages exist before the first one (false when `messages` is empty).
    public var more: Bool
    /// Only in the grant-time answer to `since`: false when the client missed messages (too many, or an unknown id).
    public var complete: Bool?
    /// Echoed from the request it answers.
    public var before: String?
    /// Echoed from the request it answers.
    public var ref: String?

    public init(messages: [ChatMessage], more: Bool, complete: Bool? = nil, before: String? = nil, ref: String? = nil) {
        self.messages = messages
        self.more = more
        self.complete = complete
        self.before = before
        self.ref = ref
    }

    /// The wire form.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            (key: "type", value: "history"),
            (key: "messages", value: .array(messages.map { .object(JSONObject(uniqueMembers: $0.fields)) })),
            (key: "more", value: .bool(more)),
        ]
        if let complete { members.append((key: "complete", value: .bool(complete))) }
        if let before { members.append((key: "before", value: .string(before))) }
        if let ref { members.append((key: "ref", value: .string(ref))) }
        return .object(JSONObject(uniqueMembers: members))
    }

    init(fields: FrameFields) throws(FrameError) {
        var messages: [ChatMessage] = []
        for value in try fields.array("messages") {
            messages.append(try ChatMessage(fields: try FrameFields(value, context: "history message")))
        }
        self.init(
            messages: messages, more: try fields.optionalBool("more") ?? false, complete: try fields.optionalBool("complete"),
            before: try fields.optionalString("before"), ref: try fields.optionalString("ref"))
    }
}

extension HistoryRecall {
    /// Reads `since` and `history` from a `connect` frame: `BAD_FRAME` when ill-typed or out of range.
    init(fields: FrameFields) throws(FrameError) {
        if let since = try fields.optionalString("since") {
            _ = try fields.optionalInt("history", in: 0...Self.maxNewest)
            self = .since(since)
        } else if let count = try fields.optionalInt("history", in: 0...Self.maxNewest) {
            self = .newest(count)
        } else {
            self = .none
        }
    }

    /// The fields it adds to a `connect` frame.
    var fields: [(key: String, value: JSONValue)] {
        switch self {
        case .none: []
        case .newest(let count): [(key: "history", value: .int(count))]
        case .since(let id): [(key: "since", value: .string(id))]
        }
    }
}

extension HistoryQuery {
    /// A bad `limit` or `before` is `BAD_FRAME` carrying the request's `ref` (when that is a valid one).
    init(fields: FrameFields) throws(FrameError) {
        let ref = try fields.optionalString("ref")
        if let ref, ref.count > Self.maxRefLength {
            throw FrameError(.badFrame, "history: ref must be at most \(Self.maxRefLength) characters, not \(ref.count)")
        }
        do {
            self.init(
                before: try fields.optionalString("before"),
                limit: try fields.optionalInt("limit", in: 1...Self.maxLimit) ?? Self.defaultLimit, ref: ref)
        } catch {
            throw FrameError(error.code, error.message, ref: ref)
        }
    }

    /// The wire form.
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [(key: "type", value: "history"), (key: "limit", value: .int(limit))]
        if let before { members.append((key: "before", value: .string(before))) }
        if let ref { members.append((key: "ref", value: .string(ref))) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// The limits on a message's `nonce`: 1–64 Unicode scalars.
public enum MessageNonce {
    public static let maxScalars = 64

    /// Whether `nonce` is acceptable on the wire.
    public static func isValid(_ nonce: String) -> Bool { (1...maxScalars).contains(nonce.unicodeScalars.count) }

    /// A new random nonce (22 characters of base-62, about 131 bits).
    public static func random() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<22).map { _ in alphabet.randomElement()! })
    }
}
