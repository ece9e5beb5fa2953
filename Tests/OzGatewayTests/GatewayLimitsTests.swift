import Foundation
import NIOCore
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The abuse limits, each against a real gateway on loopback, and each with its log line.
@Suite("Gateway: limits")
struct GatewayLimitsTests {
    /// Per-IP limits are off for loopback by default; these tests turn them on.
    static func limits(_ change: @escaping (inout GatewayLimits) -> Void) -> (inout GatewayConfiguration) -> Void {
        { configuration in
            var limits = GatewayLimits.standard
            limits.perIPLimitsOnLoopback = true
            change(&limits)
            configuration.limits = limits
        }
    }

    static func httpStatus(port: Int) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func messagesOverTheRateAreRefusedThenTheConnectionIsClosed() async throws {
        let logs = CapturedLog()
        try await TestGateway.with(
            { configuration in
                Self.limits {
                    $0.messageRate = 1
                    $0.messageBurst = 3
                }(&configuration)
                configuration.badFrameLimit = 5
            }, logs: logs
        ) { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            // Eight sends. A loaded machine may spread them (and the gateway's reading of them) over seconds, so
            // what may pass is bounded by the time the whole exchange took, not by a fixed count.
            let started = ContinuousClock.now
            for n in 0..<8 { try await a.send(.message(to: "*", text: "m\(n)")) }
            var echoes = 0
            var limited = 0
            for _ in 0..<8 {
                let frame = try await a.next(matching: { $0.chatMessage != nil || $0.errorCode != nil })
                if frame.chatMessage != nil { echoes += 1 }
                if frame.errorCode == .rateLimited { limited += 1 }
            }
            let refilled = Int((ContinuousClock.now - started) / .seconds(1)) + 1
            // The burst of 3 goes through, plus at most one token a second of the exchange; the rest is refused.
            #expect(echoes + limited == 8)
            #expect(echoes >= 3 && echoes <= 3 + refilled, "\(echoes) echoes in \(refilled) s")
            for n in 0..<10 { try? await a.send(.message(to: "*", text: "more \(n)")) }
            #expect(await logs.waitForLine(containing: "rate limited", "limit=1/s") != nil)
            #expect(await a.closeCode() == 1008)
            #expect(await logs.waitForLine(containing: "close", "rate limit: more than 5 messages refused") != nil)
        }
    }

    @Test func connectionsPerIPAreCappedAndFreedOnClose() async throws {
        let logs = CapturedLog()
        // The sockets never log in: a long connect deadline keeps them counted however slow the machine is.
        let configure: (inout GatewayConfiguration) -> Void = {
            Self.limits { $0.connectionsPerIP = 2 }(&$0)
            $0.handshakeTimeout = .seconds(300)
        }
        try await TestGateway.with(configure, logs: logs) { gateway in
            let a = try await TestSocket.connect(port: gateway.port)
            let b = try await TestSocket.connect(port: gateway.port)
            let (status, body) = try await Self.httpStatus(port: gateway.port)
            #expect(status == 503)
            #expect(body.contains("too many connections from 127.0.0.1 (the limit is 2)"))
            #expect(await logs.waitForLine(containing: "refuse", "ip=127.0.0.1", "too many connections") != nil)
            await a.close()
            _ = await a.closeCode()
            // The slot comes back once the gateway has seen the close.
            var admitted = false
            for _ in 0..<50 where !admitted {
                if let socket = try? await TestSocket.connect(port: gateway.port) {
                    admitted = true
                    await socket.close()
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(admitted)
            await b.close()
        }
    }

    @Test func connectingTooFastIsRefused() async throws {
        try await TestGateway.with(
            Self.limits {
                $0.connectRatePerIP = 1
                $0.connectBurstPerIP = 2
            }
        ) { gateway in
            _ = try await TestSocket.connect(port: gateway.port)
            _ = try await TestSocket.connect(port: gateway.port)
            // The burst is spent. Several attempts at once, so that a token refilled meanwhile (one a second: on a
            // loaded machine the connects above can take that long) admits one of them at most, not the only one.
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<6 { group.addTask { try await Self.httpStatus(port: gateway.port) } }
                return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
            }
            let refused = try #require(answers.first { $0.0 == 503 }, "no attempt refused: \(answers.map(\.0))")
            #expect(refused.1.contains("connecting too fast"))
        }
    }

    @Test func loopbackIsExemptFromPerIPLimitsByDefault() async throws {
        try await TestGateway.with({ $0.limits.connectionsPerIP = 1 }) { gateway in
            let sockets = [try await TestSocket.connect(port: gateway.port), try await TestSocket.connect(port: gateway.port)]
            #expect(sockets.count == 2)
            for socket in sockets { await socket.close() }
        }
    }

    @Test func aFullRoomDeniesNewcomersButNotAReplacement() async throws {
        let logs = CapturedLog()
        try await TestGateway.with({ $0.limits.maxMembersPerRoom = 2 }, logs: logs) { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let ext = ["Nickname": "John", "Password": JSONValue.string(TestGateway.extensionPassword)] as JSONObject
            let (first, grant) = try await TestSocket.join(port: gateway.port, token: TestGateway.extensionNumber, properties: ext)
            #expect(grant.grantedNumber == TestGateway.extensionNumber)
            let (c, denied) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            #expect(denied == .accessDenied(reason: "the room lobby is full (2 members)"))
            #expect(await c.closeCode() == 1008)
            #expect(await logs.waitForLine(containing: "deny", "full") != nil)
            // Logging in again as the extension replaces the first session instead of counting as a newcomer.
            let (_, again) = try await TestSocket.join(port: gateway.port, token: TestGateway.extensionNumber, properties: ext)
            #expect(again.grantedNumber == TestGateway.extensionNumber)
            #expect(try await first.nextFrame() == .connectionClosed(reason: .replaced))
            await a.close()
        }
    }

    @Test func propertiesOverTheConfiguredSizeAreDenied() async throws {
        try await TestGateway.with({ $0.limits.maxPropertiesBytes = 64 }) { gateway in
            let (_, reply) = try await TestSocket.join(
                port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": .string(String(repeating: "x", count: 80))])
            #expect(reply == .accessDenied(reason: "properties are 95 bytes serialized; the limit is 64"))
        }
    }

    @Test func theBucketRefillsAtItsRate() {
        var bucket = TokenBucket(rate: 2, burst: 2)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let taken = [0, 0, 0, 400, 600].map { bucket.take(at: start + .milliseconds($0)) }
        #expect(taken == [true, true, false, false, true])
        #expect(bucket.isFull(at: start + .seconds(2)))
        var unlimited = TokenBucket(rate: 0, burst: 1)
        var all = true
        for _ in 0..<1000 { all = all && unlimited.take(at: start) }
        #expect(all)
    }
}
