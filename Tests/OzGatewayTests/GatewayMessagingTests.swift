import Foundation
import OzProtocol
import Testing

@testable import OzGateway

@Suite("Gateway: messages and ordering")
struct GatewayMessagingTests {
    @Test func roomMessageReachesEveryMemberAndEchoesToTheSenderButNotOtherRooms() async throws {
        try await TestGateway.with { gateway in
            let (a, grantA) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (outsider, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.otherToken)
            try await a.send(.message(to: "*", text: "hi all"))
            let echo = try #require(try await a.next(matching: { $0.chatMessage != nil }).chatMessage)
            let delivered = try #require(try await b.next(matching: { $0.chatMessage != nil }).chatMessage)
            #expect(echo == delivered)
            #expect(echo.from == grantA.grantedNumber && echo.to == "*" && echo.text == "hi all")
            #expect(echo.ts.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
            await #expect(throws: TestSocket.Timeout.self) { try await outsider.nextFrame(timeout: .milliseconds(300)) }
        }
    }

    @Test func privateMessageGoesOnlyToItsRecipientAndTheSender() async throws {
        try await TestGateway.with { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (b, grantB) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (c, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let numberB = try #require(grantB.grantedNumber)
            try await a.send(.message(to: numberB, text: "psst"))
            let echo = try #require(try await a.next(matching: { $0.chatMessage != nil }).chatMessage)
            let delivered = try #require(try await b.next(matching: { $0.chatMessage != nil }).chatMessage)
            #expect(echo == delivered && delivered.to == numberB)
            await #expect(throws: TestSocket.Timeout.self) {
                try await c.next(matching: { $0.chatMessage != nil }, timeout: .milliseconds(300))
            }
        }
    }

    @Test func unknownRecipientIsAnError() async throws {
        try await TestGateway.with { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await a.send(.message(to: "NoOne", text: "hello?"))
            #expect(try await a.nextFrame().errorCode == .unknownRecipient)
            // With a nonce, the error names the refused message by it.
            try await a.send(.message(to: "NoOne", text: "hello?", nonce: "n-1"))
            guard case .error(.unknownRecipient, _, let nonce) = try await a.nextFrame() else {
                Issue.record("no UNKNOWN_RECIPIENT")
                return
            }
            #expect(nonce == "n-1")
        }
    }

    @Test func refusedMessagesNameTheirNonce() async throws {
        try await TestGateway.with {
            $0.limits.messageRate = 1
            $0.limits.messageBurst = 1
        } _: { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await a.send(.message(to: "*", text: String(repeating: "x", count: WireLimits.maxTextScalars + 1), nonce: "long"))
            try await a.send(.message(to: "*", text: "first", nonce: "first"))
            try await a.send(.message(to: "*", text: "second", nonce: "second"))
            var refused: [String: ErrorCode] = [:]
            var echoed: [String] = []
            while refused.count + echoed.count < 3 {
                switch try await a.nextFrame() {
                case .error(let code, _, let nonce?): refused[nonce] = code
                case .message(let message): echoed.append(message.nonce ?? "")
                default: break
                }
            }
            #expect(refused == ["long": .badFrame, "second": .rateLimited])
            #expect(echoed == ["first"])
        }
    }

    @Test func textLimitsCountUnicodeScalars() async throws {
        try await TestGateway.with { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await a.send(.message(to: "*", text: ""))
            #expect(try await a.nextFrame().errorCode == .badFrame)
            try await a.send(.message(to: "*", text: String(repeating: "😀", count: 4097)))
            #expect(try await a.nextFrame().errorCode == .badFrame)
            try await a.send(.message(to: "*", text: String(repeating: "😀", count: 4096)))
            #expect(try await a.nextFrame().chatMessage?.text.unicodeScalars.count == 4096)
        }
    }

    @Test func everyMemberSeesOneTotalOrderAndEachSendersOwnOrder() async throws {
        let members = 6
        let perSender = 40
        try await TestGateway.with { gateway in
            var sockets: [(TestSocket, String)] = []
            for _ in 0..<members {
                let (socket, grant) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
                sockets.append((socket, try #require(grant.grantedNumber)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, (socket, _)) in sockets.enumerated() {
                    group.addTask {
                        for n in 0..<perSender { try await socket.send(.message(to: "*", text: "\(index):\(n)")) }
                    }
                }
                try await group.waitForAll()
            }
            var orders: [[ChatMessage]] = []
            for (socket, _) in sockets {
                var seen: [ChatMessage] = []
                while seen.count < members * perSender {
                    if let message = try await socket.next(matching: { $0.chatMessage != nil }, timeout: .seconds(10)).chatMessage {
                        seen.append(message)
                    }
                }
                orders.append(seen)
            }
            for order in orders.dropFirst() { #expect(order.map(\.id) == orders[0].map(\.id)) }
            #expect(Set(orders[0].map(\.id)).count == members * perSender)
            for (index, (_, number)) in sockets.enumerated() {
                let own = orders[0].filter { $0.from == number }.map(\.text)
                #expect(own == (0..<perSender).map { "\(index):\($0)" })
            }
        }
    }

    @Test func presenceAndMessagesShareOneOrder() async throws {
        try await TestGateway.with { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            _ = try await a.presenceChanges(count: 1)
            // Joins and messages interleave; both members must see the same sequence of events.
            var joiners: [TestSocket] = []
            for n in 0..<5 {
                try await a.send(.message(to: "*", text: "m\(n)"))
                joiners.append(try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken).0)
            }
            func events(_ socket: TestSocket) async throws -> [String] {
                var out: [String] = []
                while out.filter({ $0.hasPrefix("msg") }).count < 5 || out.filter({ $0.hasPrefix("on") }).count < 5 {
                    let frame = try await socket.nextFrame()
                    if let message = frame.chatMessage { out.append("msg \(message.text)") }
                    for change in frame.presence ?? [] { out.append("on \(change.phoneNumber)") }
                }
                return out
            }
            #expect(try await events(a) == (try await events(b)))
            _ = joiners
        }
    }
}
