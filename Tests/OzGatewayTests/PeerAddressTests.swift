import NIOCore
import TestSupport
import Testing

@testable import OzGateway

/// Per-IP limits count an IPv6 peer as its /64 and an IPv4-mapped peer as its IPv4 address.
@Suite("Gateway: per-IP keys")
struct PeerAddressTests {
    static func peer(_ ip: String) throws -> PeerAddress {
        PeerAddress(try SocketAddress(ipAddress: ip, port: 4242))
    }

    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7", false),
        ("127.0.0.1", "127.0.0.1", true),
        ("127.8.9.10", "127.8.9.10", true),
        ("::ffff:203.0.113.7", "203.0.113.7", false),
        ("::ffff:127.0.0.1", "127.0.0.1", true),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64", false),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64", false),
        ("2001:0db8:0000:0000:ffff::1", "2001:db8::/64", false),
        ("2001:0:0:1::5", "2001:0:0:1::/64", false),
        ("fd12:3456:789a:1::99", "fd12:3456:789a:1::/64", false),
        ("fe80::1", "fe80::/64", false),
        ("::1", "::/64", true),
        ("::2", "::/64", false),
    ])
    func keys(ip: String, key: String, loopback: Bool) throws {
        let peer = try Self.peer(ip)
        #expect(peer.key == key)
        #expect(peer.isLoopback == loopback)
    }

    @Test func addressesInOneSlash64ShareTheirLimits() throws {
        var limits = GatewayLimits.standard
        limits.connectionsPerIP = 2
        let admission = AdmissionControl(limits: limits)
        let now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(admission.admit(try Self.peer("2001:db8:1:2::1"), at: now) == nil)
        #expect(admission.admit(try Self.peer("2001:db8:1:2:ffff::7"), at: now) == nil)
        // A third address of the same /64 is the same client.
        let refusal = try #require(admission.admit(try Self.peer("2001:db8:1:2:1234:5678:9abc:def0"), at: now))
        #expect(refusal.reason == "too many connections from 2001:db8:1:2::/64 (the limit is 2)")
        // The neighbouring /64 is someone else.
        #expect(admission.admit(try Self.peer("2001:db8:1:3::1"), at: now) == nil)
        // A connection closing frees a place for the whole /64.
        admission.release(try Self.peer("2001:db8:1:2::1"), at: now)
        #expect(admission.admit(try Self.peer("2001:db8:1:2::abc"), at: now) == nil)
        // IPv4 mapped into IPv6 is the IPv4 address, however it arrives.
        #expect(admission.admit(try Self.peer("198.51.100.1"), at: now) == nil)
        #expect(admission.admit(try Self.peer("::ffff:198.51.100.1"), at: now) == nil)
        #expect(admission.admit(try Self.peer("198.51.100.1"), at: now)?.reason == "too many connections from 198.51.100.1 (the limit is 2)")
    }

    /// Real connections to a dual-stack gateway: IPv4 arrives as `::ffff:127.0.0.1` and counts as 127.0.0.1; `::1`
    /// counts as `::/64`; each has its own limit.
    @Test func realIPv4AndIPv6ConnectionsAreCountedApart() async throws {
        let logs = CapturedLog()
        try await TestGateway.with(
            { configuration in
                configuration.host = "::"
                // The sockets below never log in: on a loaded machine the default 10 s connect deadline could close
                // one (freeing its place) before the refused connection arrives (failed once in CI).
                configuration.handshakeTimeout = .seconds(300)
                GatewayLimitsTests.limits { $0.connectionsPerIP = 1 }(&configuration)
            }, logs: logs
        ) { gateway in
            let v4 = try await TestSocket.connect(host: "127.0.0.1", port: gateway.port)
            let v6 = try await TestSocket.connect(host: "::1", port: gateway.port)
            for (host, counted) in [("127.0.0.1", "127.0.0.1"), ("::1", "::/64")] {
                let raw = try await RawConnection.open(host: host, port: gateway.port)
                // The refusal comes without reading the request (the gateway may have closed before it is sent).
                try? await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                #expect(await raw.closedByPeer(within: .seconds(5)))
                let response = String(decoding: raw.bytes, as: UTF8.self)
                #expect(response.hasPrefix("HTTP/1.1 503"))
                #expect(response.contains("too many connections from \(counted) (the limit is 1)"))
                #expect(await logs.waitForLine(containing: "refuse", "counted_as=\(counted)") != nil)
            }
            await v4.close()
            await v6.close()
        }
    }
}
