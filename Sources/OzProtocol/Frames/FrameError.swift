/// A frame that could not be decoded, with the error code the gateway answers it with.
public struct FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The `ref` of the `history` request it is about, echoed in the `error` frame (OzWire v1.1).
    public var ref: String?

    public init(_ code: ErrorCode, _ message: String, ref: String? = nil) {
        self.code = code
        self.message = message
        self.ref = ref
    }

    public var description: String { "\(code): \(message)" }
}

/// Typed access to a frame's fields, throwing `BAD_FRAME` with the field's name when one is missing or ill-typed.
struct FrameFields {
    let object: JSONObject
    let context: String

    init(_ value: JSONValue, context: String) throws(FrameError) {
        guard case .object(let object) = value else { throw FrameError(.badFrame, "\(context) must be a JSON object, not \(value.typeName)") }
        self.object = object
        self.context = context
    }

    func string(_ key: String) throws(FrameError) -> String {
        guard let value = object[key] else { throw FrameError(.badFrame, "\(context): missing field \"\(key)\"") }
        guard case .string(let s) = value else { throw FrameError(.badFrame, "\(context): field \"\(key)\" must be a string, not \(value.typeName)") }
        return s
    }

    func optionalString(_ key: String) throws(FrameError) -> String? {
        guard object[key] != nil, object[key] != .null else { return nil }
        return try string(key)
    }

    func optionalObject(_ key: String) throws(FrameError) -> JSONObject? {
        guard let value = object[key], value != .null else { return nil }
        guard case .object(let o) = value else {
            throw FrameError(.badFrame, "\(context): field \"\(key)\" must be an object, not \(value.typeName)")
        }
        return o
    }

    /// An integer field within `range`, or nil when absent; a number with a fraction or exponent is not an integer.
    func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(FrameError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard case .number(let text) = value, let number = Int(text) else {
            throw FrameError(.badFrame, "\(context): field \"\(key)\" must be an integer, not \(value.typeName)")
        }
        guard range.contains(number) else {
            throw FrameError(.badFrame, "\(context): field \"\(key)\" must be \(range.lowerBound)–\(range.upperBound), not \(number)")
        }
        return number
    }

    func optionalBool(_ key: String) throws(FrameError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case .bool(let flag) = value else {
            throw FrameError(.badFrame, "\(context): field \"\(key)\" must be a boolean, not \(value.typeName)")
        }
        return flag
    }

    func array(_ key: String) throws(FrameError) -> [JSONValue] {
        guard let value = object[key] else { throw FrameError(.badFrame, "\(context): missing field \"\(key)\"") }
        guard case .array(let a) = value else { throw FrameError(.badFrame, "\(context): field \"\(key)\" must be an array, not \(value.typeName)") }
        return a
    }
}

/// Parses a frame's bytes into JSON, mapping syntax errors to `BAD_JSON`. With `take`, the elements of the top-level
/// `clients` array go to it as they are parsed and the member reads as empty (`JSONParser.parse(_:streamingArray:to:)`).
func parseFrameJSON<Bytes: Collection>(_ bytes: Bytes, streamingClientsTo take: ((JSONValue) -> Void)? = nil) throws(FrameError) -> JSONValue
where Bytes.Element == UInt8 {
    do {
        guard let take else { return try JSONParser.parse(bytes) }
        return try JSONParser.parse(bytes, streamingArray: "clients", to: take)
    } catch {
        throw FrameError(.badJSON, error.description)
    }
}

/// The frame's `type`: `BAD_FRAME` when the JSON is not an object or has no string `type`.
func frameType(_ value: JSONValue) throws(FrameError) -> (String, FrameFields) {
    let fields = try FrameFields(value, context: "frame")
    return (try fields.string("type"), fields)
}
