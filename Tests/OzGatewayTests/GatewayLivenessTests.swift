import Foundation
import NIOCore
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

@Suite("Gateway: liveness, slow consumers, shutdown")
struct GatewayLivenessTests {
    @Test func gatewayPingsAndKeepsAnsweringClients() async throws {
        try await TestGateway.with {
            $0.pingInterval = .milliseconds(100)
        } _: { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            // Polled rather than slept: the event loops are shared with every other in-process test.
            let deadline = ContinuousClock.now + .seconds(10)
            while socket.pingsReceived < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(socket.pingsReceived >= 3)
            #expect(await socket.isClosed(within: .zero) == false)
        }
    }

    @Test func silentMemberIsClosedAsIdleAndPeersSeeItLeave() async throws {
        try await TestGateway.with {
            $0.pingInterval = .milliseconds(250)
            $0.pingTimeout = .milliseconds(1500)
        } _: { gateway in
            let (watcher, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let mute = try await TestSocket.connect(port: gateway.port, answerPings: false)
            try await mute.send(.connect(token: TestGateway.lobbyToken, properties: ["Nickname": "Mute"]))
            let number = try #require(try await mute.nextFrame().grantedNumber)
            #expect(try await mute.nextFrame(timeout: .seconds(10)) == .connectionClosed(reason: .idle))
            #expect(await mute.closeCode() == 1001)
            let changes = try await watcher.presenceChanges(count: 2)
            #expect(changes.map(\.status) == [.online, .offline] && changes.allSatisfy { $0.phoneNumber == number })
        }
    }

    @Test func memberThatStopsReadingIsClosedAsSlowWithoutStallingTheRoom() async throws {
        try await TestGateway.with {
            $0.maxOutboundBytes = 2 * 1024 * 1024
            $0.limits = .unlimited  // the sender floods on purpose
        } _: { gateway in
            let (sender, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (reader, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let stuck = try await TestSocket.connect(port: gateway.port, receiveBuffer: 4096)
            try await stuck.send(.connect(token: TestGateway.lobbyToken, properties: [:]))
            let stuckNumber = try #require(try await stuck.nextFrame().grantedNumber)
            try await stuck.stopReading()
            let text = String(repeating: "y", count: 4000)
            let count = 2500  // ~10 MB: more than the kernel's socket buffers plus the 2 MiB queue
            let readerTask = Task {
                var messages = 0
                var sawStuckLeave = false
                while messages < count || !sawStuckLeave {
                    let frame = try await reader.nextFrame(timeout: .seconds(10))
                    if frame.chatMessage != nil { messages += 1 }
                    if frame.presence?.contains(where: { $0.phoneNumber == stuckNumber && $0.status == .offline }) == true {
                        sawStuckLeave = true
                    }
                }
                return messages
            }
            for _ in 0..<count { try await sender.send(.message(to: "*", text: text)) }
            #expect(try await readerTask.value == count)
            // The gateway dropped the stuck member and closes its socket within the close grace period.
            let deadline = ContinuousClock.now + .seconds(15)
            while gateway.connectionCount > 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(gateway.connectionCount == 2)
            await stuck.close()
        }
    }

    @Test func shutdownTellsEveryMemberThenCloses() async throws {
        var configuration = GatewayConfiguration(port: 0, directory: TestGateway.directory)
        configuration.closeGrace = .seconds(1)
        let gateway = Gateway(configuration: configuration)
        try await gateway.start()
        let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
        let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.otherToken)
        let waiting = try await TestSocket.connect(port: gateway.port)
        await gateway.shutdown()
        for socket in [a, b] {
            #expect(
                try await socket.next(matching: { if case .connectionClosed = $0 { true } else { false } }) == .connectionClosed(reason: .shutdown))
            #expect(await socket.closeCode() == 1001)
        }
        #expect(await waiting.closeCode() == 1001)
    }

    @Test func largeSnapshotArrivesWhole() async throws {
        let logs = CapturedLog()
        try await TestGateway.with(logs: logs) { gateway in
            var sockets: [TestSocket] = []
            for n in 0..<300 {
                sockets.append(
                    try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": .string("peer\(n)")]).0)
            }
            let (_, grant) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            #expect(grant.grantedClients?.count == 300)
            #expect(Set(grant.grantedClients?.compactMap(\.nickname) ?? []).count == 300)
            // Why a member was missing, when one was.
            if grant.grantedClients?.count != 300 { print(logs.lines("close").prefix(10).joined(separator: "\n")) }
        }
    }
}
