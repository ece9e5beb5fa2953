import Foundation

/// Reads the file's lines one item at a time: blank, comment, header or `key = value`, each optionally followed by a
/// comment. Only an array may go on over several lines; its pair then counts as the line its key is on.
struct TOMLScanner {
    /// Arrays nested deeper than this are rejected (they would only cost stack).
    static let maxArrayDepth = 32

    let lines: [[Unicode.Scalar]]
    /// The 0-based index of the line being read.
    private(set) var lineIndex = 0
    /// The 0-based position in that line, in Unicode scalars.
    var pos = 0
    /// How many arrays the scanner is inside: there `,` and `]` end a bare value.
    var arrayDepth = 0

    init(lines: [[Unicode.Scalar]]) {
        self.lines = lines
    }

    /// The line being read.
    var scalars: [Unicode.Scalar] { lines[lineIndex] }
    /// Its 1-based number.
    var line: Int { lineIndex + 1 }

    /// The next line's item (which for a multi-line array spans several lines); nil after the last line.
    mutating func nextItem() throws(TOMLError) -> TOMLLine? {
        guard lineIndex < lines.count else { return nil }
        let item = try parseLine()
        lineIndex += 1
        pos = 0
        return item
    }

    /// Moves to the start of the next line; false at the end of the file.
    mutating func advanceLine() -> Bool {
        guard lineIndex + 1 < lines.count else { return false }
        lineIndex += 1
        pos = 0
        return true
    }

    private mutating func parseLine() throws(TOMLError) -> TOMLLine {
        skipWhitespace()
        switch peek() {
        case nil, "#":
            try expectEndOfLine(after: "")
            return .empty
        case "[":
            return try parseHeader()
        default:
            let column = pos + 1
            let key = try parseKey()
            skipWhitespace()
            if peek() == "." { throw failure("dotted keys are not supported") }
            guard peek() == "=" else { throw failure("expected '=' after the key '\(key)'") }
            pos += 1
            skipWhitespace()
            let keyLine = line
            let value = try parseValue()
            try expectEndOfLine(after: " after the value")
            return .pair(TOMLEntry(key: key, value: value, line: keyLine), column: column)
        }
    }

    // MARK: Headers and keys

    private mutating func parseHeader() throws(TOMLError) -> TOMLLine {
        pos += 1
        let isArray = peek() == "["
        if isArray { pos += 1 }
        skipWhitespace()
        if peek() == "]" { throw failure("missing table name") }
        let name = try parseKey()
        skipWhitespace()
        if peek() == "." { throw failure("dotted table names are not supported") }
        for _ in 0..<(isArray ? 2 : 1) {
            guard peek() == "]" else {
                throw failure(isArray ? "expected ']]' to close the array-of-tables header" : "expected ']' to close the table header")
            }
            pos += 1
        }
        try expectEndOfLine(after: " after the table header")
        return .header(name: name, isArray: isArray, line: line)
    }

    mutating func parseKey() throws(TOMLError) -> String {
        switch peek() {
        case "\"":
            return try parseBasicString()
        case "'":
            return try parseLiteralString()
        default:
            let start = pos
            while let scalar = peek(), Self.isBareKeyScalar(scalar) { pos += 1 }
            guard pos > start else {
                throw failure("expected a key (letters, digits, '_' and '-', or a quoted string)")
            }
            return String(String.UnicodeScalarView(scalars[start..<pos]))
        }
    }

    private static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    // MARK: Helpers

    /// Accepts only whitespace or a comment up to the end of the line.
    mutating func expectEndOfLine(after context: String) throws(TOMLError) {
        skipWhitespace()
        guard let scalar = peek() else { return }
        guard scalar == "#" else { throw failure("unexpected text\(context); use '#' to start a comment") }
        try skipComment()
    }

    /// Called at a `#`: checks the comment holds no control character and moves to the end of the line.
    mutating func skipComment() throws(TOMLError) {
        for (offset, char) in scalars[pos...].enumerated() where Self.isControl(char) {
            throw failure("control character U+\(Self.hex(char)) is not allowed in a comment", column: pos + offset + 1)
        }
        pos = scalars.count
    }

    /// Control characters other than tab, which TOML forbids raw in strings and comments.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "\t" && (scalar.value < 0x20 || scalar.value == 0x7F)
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func peek() -> Unicode.Scalar? { pos < scalars.count ? scalars[pos] : nil }

    func startsWith(_ prefix: String) -> Bool {
        scalars[pos...].starts(with: prefix.unicodeScalars)
    }

    mutating func skipWhitespace() {
        while peek() == " " || peek() == "\t" { pos += 1 }
    }

    func failure(_ message: String, column: Int? = nil) -> TOMLError {
        TOMLError(line: line, column: column ?? pos + 1, message: message)
    }
}
