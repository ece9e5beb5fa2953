/// Where a gateway listens: a WebSocket URL reduced to the parts the protocol uses (no user info, query or fragment).
///
/// Written by users in any of PROTOCOL.md's forms (`HOST`, `HOST:PORT`, `[IPv6]`, `[IPv6]:PORT`,
/// `ws://HOST[:PORT][/PATH]`, `wss://HOST[:PORT][/PATH]`) and parsed with ``init(parsing:)``.
/// The scheme and host are kept lowercased and the port always defaults to 7779, for `wss` too.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The WebSocket scheme: plain or over TLS.
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        case ws
        case wss

        /// Whether the connection uses TLS.
        public var isSecure: Bool { self == .wss }
    }

    /// `ws` or `wss`, lowercased from what was written.
    public let scheme: Scheme
    /// A lowercased DNS name, an IPv4 address, or an IPv6 address without brackets (`::1`).
    public let host: String
    /// 1…65535.
    public let port: Int
    /// Starts with `/`; case is kept.
    public let path: String

    /// Makes an address from its parts, checking each as ``init(parsing:)`` does (an IPv6 `host` is given without brackets).
    public init(scheme: Scheme = .ws, host: String, port: Int = WireLimits.defaultPort, path: String = "/") throws(ServerAddressError) {
        guard (1...65535).contains(port) else { throw .portOutOfRange(String(port)) }
        try PathSyntax.validate(path[...])
        self.scheme = scheme
        self.host = try Self.validatedHost(host[...])
        self.port = port
        self.path = path
    }

    /// Builds an address from parts already checked by the parser.
    init(checkedScheme scheme: Scheme, host: String, port: Int, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    /// Whether the host is an IPv6 address.
    public var isIPv6: Bool { host.contains(":") }

    /// The host as written in a URL: IPv6 addresses in brackets.
    public var hostForURL: String { isIPv6 ? "[\(host)]" : host }

    /// The full WebSocket URL, always with the port: `ws://[::1]:7779/`.
    public var url: String { "\(scheme.rawValue)://\(hostForURL):\(port)\(path)" }

    /// The same as ``url``; parsing it gives back an equal address.
    public var description: String { url }

    /// The address as a person would write it: `HOST:PORT` (`[v6]:PORT`) for `ws://` without a path, else ``url``.
    /// Parsing it gives back an equal address.
    public var shortText: String { scheme == .ws && path == "/" ? "\(hostForURL):\(port)" : url }

    /// Checks a host given on its own (no port can follow it, so an unbracketed IPv6 address is not ambiguous).
    static func validatedHost(_ host: Substring) throws(ServerAddressError) -> String {
        guard !host.isEmpty else { throw .missingHost }
        if host.contains(":") {
            guard IPv6Syntax.isValid(host) else { throw .invalidIPv6(String(host)) }
            return host.lowercased()
        }
        // ASCII letters only: Unicode lowercasing maps U+212A KELVIN SIGN to "k", which would then pass as a DNS name.
        let lowered = HostNameSyntax.asciiLowercased(host)
        try HostNameSyntax.validate(lowered)
        return lowered
    }
}
