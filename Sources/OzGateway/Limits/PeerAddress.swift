import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who a connection counts against for the per-IP limits. An IPv4 address counts as itself; an IPv6 address counts as
/// its /64, because one subscriber is usually handed a whole /64 and can use any address in it; an IPv4-mapped IPv6
/// address (`::ffff:a.b.c.d`, how a dual-stack socket sees IPv4 peers) counts as the IPv4 address.
struct PeerAddress: Sendable, Hashable {
    /// The address or network the limits count: `203.0.113.7`, or `2001:db8:1:2::/64`.
    let key: String
    /// Loopback peers (127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6) are exempt unless configured otherwise.
    let isLoopback: Bool

    init(key: String, isLoopback: Bool) {
        self.key = key
        self.isLoopback = isLoopback
    }

    /// The key of a connection's remote address; anything that is not IP (a Unix socket) is one key, `local`.
    init(_ address: SocketAddress?) {
        self = address?.ipAddress.map(Self.init(ip:)) ?? PeerAddress(key: "local", isLoopback: true)
    }

    /// The key of an address in text form (`203.0.113.7`, `2001:db8::1`, `::ffff:127.0.0.1`); text that is not an IP
    /// address is its own key.
    init(ip: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, ip, &v4) == 1 {
            self = Self.ipv4(withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, ip, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                self = Self.ipv4(Array(bytes[12..<16]))
            } else {
                let loopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
                self.init(key: Self.network64(bytes), isLoopback: loopback)
            }
        } else {
            self.init(key: ip, isLoopback: false)
        }
    }

    private static func ipv4(_ bytes: [UInt8]) -> PeerAddress {
        PeerAddress(key: bytes.map { String($0) }.joined(separator: "."), isLoopback: bytes[0] == 127)
    }

    /// `2001:db8:1:2::/64`: the first four groups in RFC 5952 form (lower case, no leading zeros, the longest run of
    /// two or more zero groups shortened to `::`).
    private static func network64(_ bytes: [UInt8]) -> String {
        let groups = (0..<4).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // The host half is 4 zero groups, a longer run than any inside the prefix (at most 2): it is the one shortened.
        var end = groups.count
        while end > 0, groups[end - 1] == 0 { end -= 1 }
        let text = groups[..<end].map { String($0, radix: 16) }.joined(separator: ":") + "::"
        return text + "/64"
    }
}
