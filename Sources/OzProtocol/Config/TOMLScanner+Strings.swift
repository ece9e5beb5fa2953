/// Basic (`"…"`, with escapes) and literal (`'…'`) strings, each on one line.
extension TOMLScanner {
    mutating func parseLiteralString() throws(TOMLError) -> String {
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

    mutating func parseBasicString() throws(TOMLError) -> String {
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
}
