/// Syntax checks for the parts of a server address: IPv6 (RFC 4291 text form), IPv4 dotted quads, DNS names, ports, paths.
enum IPv6Syntax {
    /// Whether `text` is an IPv6 address: eight groups of 1–4 hex digits, at most one `::` standing for one or more
    /// zero groups, and optionally an IPv4 dotted quad in place of the last two groups. Zone ids (`%eth0`) are not accepted.
    static func isValid(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 45 else { return false }
        if let gap = text.firstRange(of: "::") {
            let head = text[..<gap.lowerBound]
            let tail = text[gap.upperBound...]
            guard !tail.contains("::"), let headGroups = groupCount(head, allowIPv4: false),
                let tailGroups = groupCount(tail, allowIPv4: true)
            else { return false }
            return headGroups + tailGroups <= 7
        }
        return groupCount(text, allowIPv4: true) == 8
    }

    /// How many 16-bit groups `part` (colon-separated, possibly empty) stands for, or nil when a group is malformed.
    private static func groupCount(_ part: Substring, allowIPv4: Bool) -> Int? {
        guard !part.isEmpty else { return 0 }
        let groups = part.split(separator: ":", omittingEmptySubsequences: false)
        var count = 0
        for (index, group) in groups.enumerated() {
            if allowIPv4, index == groups.count - 1, group.contains(".") {
                guard IPv4Syntax.isValid(group) else { return nil }
                count += 2
            } else {
                guard (1...4).contains(group.utf8.count), group.unicodeScalars.allSatisfy(\.isASCIIHexDigit) else { return nil }
                count += 1
            }
        }
        return count
    }
}

/// IPv4 dotted-quad syntax.
enum IPv4Syntax {
    /// Whether `text` is `A.B.C.D` with each part a decimal number 0…255 of at most three digits.
    static func isValid(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.utf8.count) && part.unicodeScalars.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
            }
    }
}

/// DNS host name syntax (RFC 1123): dot-separated labels of ASCII letters, digits and hyphens.
enum HostNameSyntax {
    /// Longest host name, in characters.
    static let maxLength = 253
    /// Longest label, in characters.
    static let maxLabelLength = 63

    /// The host with ASCII `A`–`Z` lowercased and every other scalar kept as written (for `validate` to reject):
    /// DNS names are case-insensitive in ASCII alone (RFC 4343).
    static func asciiLowercased(_ host: Substring) -> String {
        String(decoding: host.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Checks an already lowercased host name; all-numeric names must be IPv4 addresses.
    static func validate(_ host: String) throws(ServerAddressError) {
        if let bad = host.unicodeScalars.first(where: { !($0.isASCIILetterOrDigit || $0 == "-" || $0 == ".") }) {
            throw .invalidHostCharacter(bad, host: host)
        }
        guard host.utf8.count <= maxLength else { throw .hostTooLong(host.utf8.count) }
        if host.unicodeScalars.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            guard IPv4Syntax.isValid(host[...]) else { throw .invalidIPv4(host) }
            return
        }
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw .emptyLabel(host: host) }
            guard label.utf8.count <= maxLabelLength else { throw .labelTooLong(String(label)) }
            guard label.first != "-", label.last != "-" else { throw .labelHyphen(String(label)) }
        }
    }
}

/// Port syntax.
enum PortSyntax {
    /// The port written as `text`: decimal digits (leading zeros allowed) giving 1…65535.
    static func parse(_ text: Substring) throws(ServerAddressError) -> Int {
        guard !text.isEmpty else { throw .missingPort }
        guard text.unicodeScalars.allSatisfy(\.isASCIIDigit) else { throw .invalidPort(String(text)) }
        let significant = text.drop { $0 == "0" }
        // At most five significant digits, so the conversion cannot overflow whatever the input's length.
        guard significant.utf8.count <= 5, let port = Int(significant), (1...65535).contains(port) else {
            throw .portOutOfRange(String(text))
        }
        return port
    }
}

/// URL path syntax (RFC 3986 `path-abempty`).
enum PathSyntax {
    /// Characters allowed as they are, besides ASCII letters and digits.
    private static let allowed: Set<Unicode.Scalar> = ["-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@", "/"]

    /// Checks a path that starts with `/`: unreserved and sub-delimiter characters, `:`, `@`, `/` and `%HH` escapes.
    static func validate(_ path: Substring) throws(ServerAddressError) {
        let scalars = Array(path.unicodeScalars)
        guard scalars.first == "/" else { throw .invalidPath(String(path)) }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "%" {
                guard index + 2 < scalars.count, scalars[index + 1].isASCIIHexDigit, scalars[index + 2].isASCIIHexDigit else {
                    throw .invalidPath(String(path))
                }
                index += 3
                continue
            }
            guard scalar.isASCIILetterOrDigit || allowed.contains(scalar) else { throw .invalidPath(String(path)) }
            index += 1
        }
    }
}

extension Unicode.Scalar {
    // fileprivate: other files of the module may define similar helpers.
    /// `0`–`9`.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    /// `0`–`9`, `a`–`f`, `A`–`F`.
    fileprivate var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
    /// `0`–`9`, `a`–`z`, `A`–`Z`.
    fileprivate var isASCIILetterOrDigit: Bool { isASCIIDigit || ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
