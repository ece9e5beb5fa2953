import Foundation

/// Values: strings, booleans, integers, date-times and arrays of them.
extension TOMLScanner {
    mutating func parseValue() throws(TOMLError) -> TOMLValue {
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
            return try parseArray()
        case "{":
            throw failure("inline tables are not supported")
        default:
            return try parseBareValue()
        }
    }

    /// Booleans, integers and date-times: everything up to whitespace or a comment, or inside an array a `,` or `]`
    /// (a date and a time may be separated by one space, as TOML allows).
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
        while let scalar = peek(), scalar != " ", scalar != "\t", scalar != "#" {
            if arrayDepth > 0, scalar == "," || scalar == "]" { break }
            pos += 1
        }
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

    /// `[` value, value, … `]`, with an optional trailing comma; between the elements may come white space, comments
    /// and line breaks. An unterminated array is reported where it opens.
    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let (openLine, openColumn) = (line, pos + 1)
        guard arrayDepth < Self.maxArrayDepth else { throw failure("arrays nested more than \(Self.maxArrayDepth) deep are not supported") }
        pos += 1
        arrayDepth += 1
        defer { arrayDepth -= 1 }
        var elements: [TOMLValue] = []
        while true {
            try skipArraySpace(openLine: openLine, openColumn: openColumn)
            if peek() == "]" { break }
            if peek() == "," { throw failure("expected a value or ']' in the array") }
            elements.append(try parseValue())
            try skipArraySpace(openLine: openLine, openColumn: openColumn)
            if peek() == "]" { break }
            guard peek() == "," else { throw failure("expected ',' or ']' after an array element") }
            pos += 1
        }
        pos += 1
        return .array(elements)
    }

    /// Skips white space, comments and line breaks inside an array, stopping at the next other character.
    private mutating func skipArraySpace(openLine: Int, openColumn: Int) throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek() == "#" { try skipComment() }
            if peek() != nil { return }
            guard advanceLine() else { throw TOMLError(line: openLine, column: openColumn, message: "unterminated array") }
        }
    }
}
