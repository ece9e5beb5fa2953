/// Why a JSON text was rejected, with the byte offset where the problem was found.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes: no trailing commas, no comments, no duplicate keys,
/// no lone surrogates, nesting bounded by `maxDepth` so hostile input cannot exhaust the stack.
public struct JSONParser {
    /// Deepest nesting of arrays and objects accepted.
    public static let defaultMaxDepth = 64

    /// The input, borrowed for the duration of one `parse` call (never copied when it is already contiguous).
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let maxDepth: Int
    /// A member of the top-level object whose array elements go to `sink` one by one instead of into the tree.
    private var streamedKey: String?
    private var sink: ((JSONValue) -> Void)?

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses one JSON value that must make up the whole input (surrounding white space allowed).
    public static func parse<Bytes: Collection>(_ input: Bytes, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue
    where Bytes.Element == UInt8 {
        try withBuffer(input) { (buffer) throws(JSONParseError) in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            return try parser.parseWhole()
        }
    }

    /// Parses like `parse`, except that when the value is an object with an array member `key`, each element of that
    /// array goes to `take` as soon as it is parsed and the member reads as an empty array. Only one element's tree
    /// exists at a time: a frame's `clients` (a 10,000-peer snapshot) is decoded without first building all of it.
    public static func parse<Bytes: Collection>(
        _ input: Bytes, maxDepth: Int = defaultMaxDepth, streamingArray key: String, to take: (JSONValue) -> Void
    ) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        try withoutActuallyEscaping(take) { (take) throws(JSONParseError) in
            try withBuffer(input) { (buffer) throws(JSONParseError) in
                var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
                parser.streamedKey = key
                parser.sink = take
                return try parser.parseWhole()
            }
        }
    }

    /// Parses a JSON text given as a string.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, maxDepth: maxDepth)
    }

    /// Runs `body` on the input's contiguous bytes: in place when the collection has them (an array, a native
    /// string's UTF-8), else on a copy.
    private static func withBuffer<Bytes: Collection>(
        _ input: Bytes, _ body: (UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue
    ) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        let inPlace = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try body(buffer) }
        }
        if let inPlace { return try inPlace.get() }
        let copy = Array(input)
        return try copy.withUnsafeBufferPointer { buffer in Result { () throws(JSONParseError) in try body(buffer) } }.get()
    }

    private mutating func parseWhole() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected data after the JSON value") }
        return value
    }

    private func error(_ message: String) -> JSONParseError { JSONParseError(offset: index, message: message) }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONParseError) {
        for expected in literal.utf8 {
            guard index < bytes.count else { throw error("unexpected end of input") }
            guard bytes[index] == expected else { throw error("invalid literal") }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        // Duplicate keys: a linear scan while the object is small (a peer's properties, a roster entry), a set beyond;
        // a set per object was most of the cost of parsing a 10,000-peer roster.
        var seen: Set<String>? = nil
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return JSONObject()
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            guard Self.isNew(key, in: members, seen: &seen) else { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            if depth == 1, key == streamedKey, let sink, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                try parseArray(depth: depth + 1) { sink($0) }
                members.append((key, .array([])))
            } else {
                members.append((key, try parseValue(depth: depth)))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return JSONObject(uniqueMembers: members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    /// Whether `key` is not yet among `members`; past `linearScanLimit` members the keys go into `seen` instead.
    private static func isNew(_ key: String, in members: [(key: String, value: JSONValue)], seen: inout Set<String>?) -> Bool {
        if seen == nil, members.count < linearScanLimit { return !members.contains { $0.key == key } }
        if seen == nil { seen = Set(members.map(\.key)) }
        return seen!.insert(key).inserted
    }

    private static let linearScanLimit = 16

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        var elements: [JSONValue] = []
        try parseArray(depth: depth) { elements.append($0) }
        return elements
    }

    /// Parses an array, handing each element to `take` in order.
    private mutating func parseArray(depth: Int, _ take: (JSONValue) -> Void) throws(JSONParseError) {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            take(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digit expected after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: digit expected in exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes between the quotes are the string (validated as UTF-8; plain ASCII
        // needs no validation, and skips the generic validating initialiser, which is slow per call).
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let range = start..<index
                index += 1
                if ascii { return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
                guard let text = String(validating: bytes[range], as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw error("unescaped control character in string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        var scalars = String.UnicodeScalarView()
        guard let prefix = String(validating: bytes[start..<index], as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        scalars.append(contentsOf: prefix.unicodeScalars)
        var runStart = index
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                guard let run = String(validating: bytes[runStart..<index], as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                scalars.append(contentsOf: run.unicodeScalars)
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(scalars)
                }
                index += 1
                scalars.append(try parseEscape())
                runStart = index
                continue
            }
            guard byte >= 0x20 else { throw error("unescaped control character in string") }
            index += 1
        }
    }

    private mutating func parseEscape() throws(JSONParseError) -> Unicode.Scalar {
        guard index < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4()
            if (0xD800...0xDBFF).contains(high) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("lone high surrogate")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw error("lone low surrogate") }
            return scalar
        default:
            throw error("invalid escape")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
