import NIOCore
import OzProtocol
import Testing

@testable import OzGateway

/// Presence changes within the room's window go out as one frame, and a message never overtakes a change before it.
@Suite("Gateway: presence batching")
struct GatewayPresenceBatchTests {
    /// The window is long (the joins always fall inside it however loaded the machine is), and a message ends it.
    @Test func joinsWithinTheWindowArriveAsOneFrame() async throws {
        try await TestGateway.with({ $0.presenceWindow = .seconds(60) }) { gateway in
            let (watcher, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "A"])
            let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "B"])
            try await b.send(.message(to: "*", text: "flush"))
            let frame = try await watcher.next(matching: { $0.presence != nil })
            #expect(frame.presence?.map(\.nickname) == ["A", "B"])
            await a.close()
            await b.close()
        }
    }

    @Test func aMessageFlushesTheChangesBeforeIt() async throws {
        try await TestGateway.with({ $0.presenceWindow = .seconds(30) }) { gateway in
            let (watcher, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "A"])
            try await a.send(.message(to: "*", text: "hello"))
            let first = try await watcher.nextFrame()
            #expect(first.presence?.map(\.nickname) == ["A"])
            #expect(try await watcher.nextFrame().chatMessage?.text == "hello")
        }
    }
}
