import Foundation
import OzProtocol

/// The name a `wss://` connection sends in TLS SNI and checks the certificate against.
enum ServerName {
    /// For a DNS name, the name itself. For an IP address, the address with a trailing dot: swift-websocket always
    /// hands NIOSSL a server name (ours, or else the URL's host), and NIOSSL refuses a literal IP there (RFC 6066), so
    /// `wss://127.0.0.1/` would fail before connecting. With the dot it is not an IP literal to NIOSSL; hostname
    /// verification drops the trailing dot and matches the certificate's IP-address names against the peer's actual
    /// address, so an IP address is still verified in full.
    static func forTLS(_ address: ServerAddress) -> String {
        isIPLiteral(address.host) ? address.host + "." : address.host
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
