extension ServerAddress {
    /// Parses a server address as a user writes it, after trimming surrounding white space.
    ///
    /// An IPv6 address may be given without brackets only when it cannot be read as an address plus a port:
    /// `::1` and `fe80::1` are accepted, `::1:7779` is rejected with ``ServerAddressError/unbracketedIPv6(address:port:)``.
    public init(parsing text: String) throws(ServerAddressError) {
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map(text.index(after:)) ?? start
        let input = String(text[start..<end])
        guard !input.isEmpty else { throw .empty }
        if let bad = input.unicodeScalars.first(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            throw .invalidCharacter(bad)
        }

        var scheme = Scheme.ws
        var rest = input[...]
        if let separator = input.firstRange(of: "://") {
            let written = String(input[..<separator.lowerBound])
            guard let known = Scheme(rawValue: written.lowercased()) else { throw .unsupportedScheme(written) }
            scheme = known
            rest = input[separator.upperBound...]
        }
        guard !rest.contains(where: { $0 == "?" || $0 == "#" }) else { throw .queryOrFragment }

        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : rest[slash...]
        guard !authority.contains("@") else { throw .userInfo }
        let (host, port) = try Self.parseAuthority(authority)
        try PathSyntax.validate(path)
        self.init(checkedScheme: scheme, host: host, port: port, path: String(path))
    }

    /// Splits `HOST`, `HOST:PORT`, `[IPv6]`, `[IPv6]:PORT` or an unambiguous bare IPv6 address into host and port.
    private static func parseAuthority(_ authority: Substring) throws(ServerAddressError) -> (host: String, port: Int) {
        guard !authority.isEmpty else { throw .missingHost }

        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .unclosedBracket }
            let inside = authority[authority.index(after: authority.startIndex)..<close]
            guard !inside.isEmpty else { throw .missingHost }
            guard IPv6Syntax.isValid(inside) else { throw .invalidIPv6(String(inside)) }
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (inside.lowercased(), WireLimits.defaultPort) }
            guard after.first == ":" else { throw .unexpectedAfterBracket(String(after)) }
            return (inside.lowercased(), try PortSyntax.parse(after.dropFirst()))
        }

        let colons = authority.count(where: { $0 == ":" })
        if colons == 0 { return (try validatedHost(authority), WireLimits.defaultPort) }
        if colons == 1 {
            let colon = authority.firstIndex(of: ":")!
            let host = authority[..<colon]
            guard !host.isEmpty else { throw .missingHost }
            let port = try PortSyntax.parse(authority[authority.index(after: colon)...])
            return (try validatedHost(host), port)
        }
        return (try unbracketedIPv6(authority), WireLimits.defaultPort)
    }

    /// Accepts a bare IPv6 address unless its last group could be a port after a shorter address.
    private static func unbracketedIPv6(_ text: Substring) throws(ServerAddressError) -> String {
        let lastColon = text.lastIndex(of: ":")!
        let head = text[..<lastColon]
        let tail = text[text.index(after: lastColon)...]
        let tailIsPort = (try? PortSyntax.parse(tail)) != nil
        if tailIsPort, IPv6Syntax.isValid(head) {
            throw .unbracketedIPv6(address: head.lowercased(), port: String(tail))
        }
        guard IPv6Syntax.isValid(text) else { throw .invalidIPv6(String(text)) }
        return text.lowercased()
    }
}
