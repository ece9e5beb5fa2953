import Foundation

/// A scalar value from the TOML subset ozgate reads (no floats, arrays, inline tables or local dates).
enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    /// An offset date-time such as `2030-01-01T00:00:00Z`, already converted to an absolute instant.
    case dateTime(Date)

    /// The type's name as used in error messages, with its article ("a string", "an integer").
    var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .dateTime: "a date-time"
        }
    }
}

/// One `key = value` pair and the 1-based line it was written on.
struct TOMLEntry: Sendable, Equatable {
    var key: String
    var value: TOMLValue
    var line: Int
}

/// A table of the document: the implicit root, a `[name]` table or one element of a `[[name]]` array.
struct TOMLTable: Sendable, Equatable {
    /// Which syntax introduced the table.
    enum Kind: Sendable, Equatable { case root, table, arrayElement }

    /// The header's name; empty for the root table.
    var name: String
    var kind: Kind
    /// The 1-based line of the header (1 for the root table).
    var line: Int
    /// The pairs in the order they were written; keys are unique within a table.
    var entries: [TOMLEntry] = []

    /// The entry for `key`, if present.
    subscript(key: String) -> TOMLEntry? { entries.first { $0.key == key } }

    /// The header as written in the file (`[name]` or `[[name]]`), or "the top level" for the root.
    var displayName: String {
        switch kind {
        case .root: "the top level"
        case .table: "[\(name)]"
        case .arrayElement: "[[\(name)]]"
        }
    }
}

/// A TOML syntax error: a 1-based line, the 1-based column (in Unicode scalars) when known, and a message.
struct TOMLError: Error, Sendable, Equatable {
    var line: Int
    var column: Int?
    var message: String
}

/// A parsed document in file order: the root pairs, then every table and array-of-tables element.
struct TOMLDocument: Sendable, Equatable {
    /// Pairs written before the first header.
    var root: TOMLTable
    /// Every `[name]` table and every `[[name]]` element, in the order their headers appear.
    var tables: [TOMLTable]

    /// Parses `text` (LF or CRLF line endings, an optional leading byte-order mark), stopping at the first error.
    static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var builder = TOMLDocumentBuilder()
        for (index, scalars) in try splitLines(text).enumerated() {
            var scanner = TOMLLineScanner(scalars: scalars, line: index + 1)
            try builder.add(scanner.parseLine())
        }
        return builder.document
    }

    /// Splits on LF, dropping the CR of a CRLF; a lone CR is an error, as TOML requires.
    private static func splitLines(_ text: String) throws(TOMLError) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = [[]]
        var pendingCR = false
        for scalar in text.unicodeScalars {
            if pendingCR && scalar != "\n" {
                throw TOMLError(line: lines.count, column: lines[lines.count - 1].count, message: "carriage return not followed by a line feed")
            }
            pendingCR = false
            if scalar == "\n" {
                if lines[lines.count - 1].last == "\r" { lines[lines.count - 1].removeLast() }
                lines.append([])
            } else {
                if scalar == "\r" { pendingCR = true }
                lines[lines.count - 1].append(scalar)
            }
        }
        if pendingCR {
            throw TOMLError(line: lines.count, column: lines[lines.count - 1].count, message: "carriage return not followed by a line feed")
        }
        if lines[0].first == "\u{FEFF}" { lines[0].removeFirst() }
        return lines
    }
}

/// What one line of the file holds.
private enum TOMLLine: Sendable, Equatable {
    case empty
    case header(name: String, isArray: Bool, line: Int)
    case pair(TOMLEntry, column: Int)
}

/// Assembles lines into a document, rejecting duplicate keys and redefined or conflicting tables.
private struct TOMLDocumentBuilder {
    private(set) var document = TOMLDocument(root: TOMLTable(name: "", kind: .root, line: 1), tables: [])
    private var inRoot = true
    /// Key → line of the table currently being filled.
    private var currentKeys: [String: Int] = [:]
    /// Root key → line, to catch a table that reuses a top-level key's name.
    private var rootKeys: [String: Int] = [:]
    /// Header name → (is an array of tables, line of its first header).
    private var headers: [String: (isArray: Bool, line: Int)] = [:]

    mutating func add(_ item: TOMLLine) throws(TOMLError) {
        switch item {
        case .empty:
            return
        case .pair(let entry, let column):
            if let first = currentKeys[entry.key] {
                throw TOMLError(line: entry.line, column: column, message: "duplicate key '\(entry.key)' (first defined on line \(first))")
            }
            currentKeys[entry.key] = entry.line
            if inRoot {
                rootKeys[entry.key] = entry.line
                document.root.entries.append(entry)
            } else {
                document.tables[document.tables.count - 1].entries.append(entry)
            }
        case .header(let name, let isArray, let line):
            try checkHeader(name: name, isArray: isArray, line: line)
            headers[name] = headers[name] ?? (isArray, line)
            inRoot = false
            currentKeys = [:]
            document.tables.append(TOMLTable(name: name, kind: isArray ? .arrayElement : .table, line: line))
        }
    }

    private func checkHeader(name: String, isArray: Bool, line: Int) throws(TOMLError) {
        let written = isArray ? "[[\(name)]]" : "[\(name)]"
        if let keyLine = rootKeys[name] {
            throw TOMLError(line: line, column: 1, message: "table \(written) conflicts with the key '\(name)' defined on line \(keyLine)")
        }
        guard let previous = headers[name] else { return }
        if previous.isArray != isArray {
            let other = previous.isArray ? "an array of tables [[\(name)]]" : "a table [\(name)]"
            throw TOMLError(line: line, column: 1, message: "\(written) conflicts with \(other) defined on line \(previous.line)")
        }
        if !isArray {
            throw TOMLError(line: line, column: 1, message: "table \(written) is already defined on line \(previous.line)")
        }
    }
}

/// Parses one line of the file: blank, comment, header or `key = value`, each optionally followed by a comment.
private struct TOMLLineScanner {
    let scalars: [Unicode.Scalar]
    let line: Int
    private var pos = 0

    init(scalars: [Unicode.Scalar], line: Int) {
        self.scalars = scalars
        self.line = line
    }

    mutating func parseLine() throws(TOMLError) -> TOMLLine {
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
            let value = try parseValue()
            try expectEndOfLine(after: " after the value")
            return .pair(TOMLEntry(key: key, value: value, line: line), column: column)
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

    private mutating func parseKey() throws(TOMLError) -> String {
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

    // MARK: Values

    private mutating func parseValue() throws(TOMLError) -> TOMLValue {
        switch peek() {
        case nil, "#":
            throw failure("missing value")
        case "\"":
            if startsWith("\"\"\"") { throw failure("multi-line strings are not supported") }
            return .string(try parseBasicString())
        case "'":
            if startsWith("'''") { throw failure("multi-line strings are not supported") }
            return .string(try parseLiteralString())
        case "[":
            throw failure("arrays are not supported")
        case "{":
            throw failure("inline tables are not supported")
        default:
            return try parseBareValue()
        }
    }

    /// Booleans, integers and date-times: everything up to whitespace or a comment (a date and a time may be
    /// separated by one space, as TOML allows).
    private mutating func parseBareValue() throws(TOMLError) -> TOMLValue {
        let column = pos + 1
        var token = takeToken()
        let isDateOnly = token.utf8.count == 10 && token.utf8.dropFirst(4).first == UInt8(ascii: "-")
        if isDateOnly, peek() == " ", pos + 3 < scalars.count, scalars[pos + 3] == ":" {
            pos += 1
            token += " " + takeToken()
        }
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf", "-inf", "nan", "+nan", "-nan": throw failure("floating-point numbers are not supported", column: column)
        default: break
        }
        let utf8 = Array(token.utf8)
        if utf8.count >= 10, utf8[4] == UInt8(ascii: "-"), utf8.allSatisfy({ $0 < 0x80 }) {
            switch TOMLDateTime.parse(token) {
            case .success(let date): return .dateTime(date)
            case .failure(let problem): throw failure("invalid date-time '\(token)': \(problem.message)", column: column)
            }
        }
        if utf8.count >= 3, utf8[2] == UInt8(ascii: ":") {
            throw failure("local times are not supported; write a full date-time with an offset, e.g. 2030-01-01T00:00:00Z", column: column)
        }
        return .integer(try parseInteger(token, column: column))
    }

    private mutating func takeToken() -> String {
        let start = pos
        while let scalar = peek(), scalar != " ", scalar != "\t", scalar != "#" { pos += 1 }
        return String(String.UnicodeScalarView(scalars[start..<pos]))
    }

    private func parseInteger(_ token: String, column: Int) throws(TOMLError) -> Int {
        var body = Substring(token)
        let negative = body.first == "-"
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let isNumeric = body.first?.isASCII == true && body.first?.isNumber == true
        if isNumeric, body.count > 1, body.first == "0", let second = body.dropFirst().first, "xob".contains(second) {
            throw failure("hexadecimal, octal and binary integers are not supported", column: column)
        }
        if isNumeric, body.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            throw failure("floating-point numbers are not supported", column: column)
        }
        guard isNumeric, body.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" }) else {
            throw failure("invalid value '\(token)' (strings must be quoted)", column: column)
        }
        if body.last == "_" || body.contains("__") {
            throw failure("underscores in '\(token)' must sit between digits", column: column)
        }
        let digits = body.filter { $0 != "_" }
        if digits.count > 1, digits.first == "0" {
            throw failure("leading zeros are not allowed in the integer '\(token)' (quote it to keep them)", column: column)
        }
        guard let value = Int(negative ? "-" + digits : digits) else {
            throw failure("the integer '\(token)' is out of range", column: column)
        }
        return value
    }

    // MARK: Strings

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        let openColumn = pos + 1
        pos += 1
        var result = String.UnicodeScalarView()
        while let scalar = peek() {
            pos += 1
            if scalar == "'" { return String(result) }
            try checkAllowedInString(scalar)
            result.append(scalar)
        }
        throw failure("unterminated string", column: openColumn)
    }

    private mutating func parseBasicString() throws(TOMLError) -> String {
        let openColumn = pos + 1
        pos += 1
        var result = String.UnicodeScalarView()
        while let scalar = peek() {
            pos += 1
            switch scalar {
            case "\"": return String(result)
            case "\\": result.append(try parseEscape())
            default:
                try checkAllowedInString(scalar)
                result.append(scalar)
            }
        }
        throw failure("unterminated string", column: openColumn)
    }

    /// Called just after a backslash; consumes the rest of the escape sequence.
    private mutating func parseEscape() throws(TOMLError) -> Unicode.Scalar {
        let column = pos
        guard let kind = peek() else { throw failure("unterminated string", column: column) }
        pos += 1
        switch kind {
        case "\"": return "\""
        case "\\": return "\\"
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "u", "U":
            let length = kind == "u" ? 4 : 8
            guard pos + length <= scalars.count else { throw failure("\\\(kind) needs \(length) hex digits", column: column) }
            let hex = String(String.UnicodeScalarView(scalars[pos..<pos + length]))
            guard hex.allSatisfy(\.isHexDigit), let code = UInt32(hex, radix: 16) else {
                throw failure("\\\(kind) needs \(length) hex digits", column: column)
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw failure("\\\(kind)\(hex) is not a Unicode scalar value (surrogate or beyond U+10FFFF)", column: column)
            }
            pos += length
            return scalar
        default:
            throw failure("invalid escape sequence '\\\(kind)'", column: column)
        }
    }

    private func checkAllowedInString(_ scalar: Unicode.Scalar) throws(TOMLError) {
        if Self.isControl(scalar) {
            throw failure("control character U+\(Self.hex(scalar)) must be escaped", column: pos)
        }
    }

    // MARK: Helpers

    /// Accepts only whitespace or a comment up to the end of the line.
    private mutating func expectEndOfLine(after context: String) throws(TOMLError) {
        skipWhitespace()
        guard let scalar = peek() else { return }
        guard scalar == "#" else { throw failure("unexpected text\(context); use '#' to start a comment") }
        for (offset, char) in scalars[pos...].enumerated() where Self.isControl(char) {
            throw failure("control character U+\(Self.hex(char)) is not allowed in a comment", column: pos + offset + 1)
        }
        pos = scalars.count
    }

    /// Control characters other than tab, which TOML forbids raw in strings and comments.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "\t" && (scalar.value < 0x20 || scalar.value == 0x7F)
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func peek() -> Unicode.Scalar? { pos < scalars.count ? scalars[pos] : nil }

    private func startsWith(_ prefix: String) -> Bool {
        scalars[pos...].starts(with: prefix.unicodeScalars)
    }

    private mutating func skipWhitespace() {
        while peek() == " " || peek() == "\t" { pos += 1 }
    }

    private func failure(_ message: String, column: Int? = nil) -> TOMLError {
        TOMLError(line: line, column: column ?? pos + 1, message: message)
    }
}

/// Parses RFC 3339 offset date-times (`2030-01-01T00:00:00Z`, `…T12:30:00.250+01:00`) without Calendar or locales.
/// As in TOML, `t`/`z` may be lowercase and a single space may replace the `T`; leap seconds (`:60`) are rejected.
enum TOMLDateTime {
    /// Why a text is not a valid date-time.
    struct Problem: Error, Equatable {
        var message: String
    }

    static func parse(_ text: String) -> Result<Date, Problem> {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count, range.allSatisfy({ b[$0] >= 0x30 && b[$0] <= 0x39 }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(b[$1] - 0x30) }
        }
        func has(_ index: Int, _ chars: String) -> Bool { index < b.count && chars.utf8.contains(b[index]) }
        guard let year = digits(0..<4), has(4, "-"), let month = digits(5..<7), has(7, "-"), let day = digits(8..<10) else {
            return .failure(Problem(message: "expected a date written YYYY-MM-DD"))
        }
        guard b.count > 10 else { return .failure(Problem(message: "a time and a UTC offset are required, e.g. 2030-01-01T00:00:00Z")) }
        guard has(10, "Tt "), let hour = digits(11..<13), has(13, ":"), let minute = digits(14..<16), has(16, ":"),
            let second = digits(17..<19)
        else {
            return .failure(Problem(message: "expected a time written THH:MM:SS after the date"))
        }
        var index = 19
        var fraction = 0.0
        if has(index, ".") {
            let start = index + 1
            index = start
            while index < b.count, b[index] >= 0x30, b[index] <= 0x39 { index += 1 }
            guard index > start, let value = Double("0." + String(decoding: b[start..<index], as: UTF8.self)) else {
                return .failure(Problem(message: "expected digits after the decimal point"))
            }
            fraction = value
        }
        var offsetMinutes = 0
        if has(index, "Zz") {
            index += 1
        } else if has(index, "+-"), let offHour = digits(index + 1..<index + 3), has(index + 3, ":"),
            let offMinute = digits(index + 4..<index + 6)
        {
            guard offHour < 24, offMinute < 60 else { return .failure(Problem(message: "UTC offset out of range")) }
            offsetMinutes = (offHour * 60 + offMinute) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return .failure(Problem(message: "a UTC offset is required after the time (Z or ±HH:MM)"))
        }
        guard index == b.count else { return .failure(Problem(message: "unexpected text after the UTC offset")) }
        guard (1...12).contains(month) else { return .failure(Problem(message: "month \(month) is out of range")) }
        guard (1...daysIn(month: month, year: year)).contains(day) else {
            return .failure(Problem(message: "day \(day) is out of range for \(year)-\(month < 10 ? "0" : "")\(month)"))
        }
        guard hour < 24, minute < 60, second < 60 else { return .failure(Problem(message: "time of day out of range")) }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return .success(Date(timeIntervalSince1970: Double(seconds) + fraction))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
