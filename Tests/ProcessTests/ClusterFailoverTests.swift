import Foundation
import OzClient
import OzProtocol
import TestSupport
import Testing

/// Issue 15's promise: two `ozgate --cluster` nodes on one private PostgreSQL; a client given both is granted on the
/// first, the first is SIGKILLed, and the client moves to the second on its own and resumes with `since`: every room
/// message said before, during and after the move reaches it exactly once.
@Suite("failover between ozgate --cluster nodes", .serialized)
struct ClusterFailoverTests {
    /// The room messages' texts client `index` was shown, live or from a resumed or recent history, in order.
    static func texts(_ log: ClientEventLog, _ index: Int) -> [String] {
        log.events(index).flatMap { entry -> [String] in
            switch entry.event {
            case .message(let message): [message.text]
            case .history(let batch): batch.messages.map(\.text)
            default: []
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aClientMovesToTheSurvivingNodeAndMissesNothing() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let lobby = try LobbyFixture()
        let ports = [lobby.port, try TemporaryFolder.freePort()]
        let nodes = try await ClusterNodes.start(ports: ports, lobby: lobby, server: server)
        defer { for node in nodes { node.signal(SIGKILL) } }

        let log = ClientEventLog(clients: 2)
        // Its retry comes 3 s after the loss, so what is said meanwhile is normally for the resume to bring.
        let slowRetry = OzClientConfiguration(machine: .init(backoff: Backoff(base: .seconds(3), cap: .seconds(3))), sample: { $0.upperBound })
        let mover = OzClient(configuration: slowRetry, eventSink: log.sink(0))
        let speaker = OzClient(eventSink: log.sink(1))
        try await mover.connect(serverAddresses: ports.map { "127.0.0.1:\($0)" }, token: "tok", properties: ["Nickname": "Ann"])
        try await speaker.connect(serverAddress: "127.0.0.1:\(ports[1])", token: "tok", properties: ["Nickname": "Bob"])
        try await waitUntil("both granted", timeout: .seconds(30)) {
            let (ann, bob) = (await mover.phoneNumber, await speaker.phoneNumber)
            return ann != nil && bob != nil
        }
        try await speaker.send("before")
        try await waitUntil("Ann hears before", timeout: .seconds(30)) { Self.texts(log, 0).contains("before") }

        nodes[0].signal(SIGKILL)
        _ = await nodes[0].waitForExit()
        let during = (1...5).map { "during \($0)" }
        for text in during { try await speaker.send(text) }
        try await waitUntil("Ann granted on the second node", timeout: .seconds(60)) {
            log.events(0).filter { if case .connectionState(.accessGranted) = $0.event { true } else { false } }.count == 2
        }
        try await speaker.send("after")
        try await waitUntil("Ann hears after", timeout: .seconds(30)) { Self.texts(log, 0).contains("after") }

        let shown = Self.texts(log, 0)
        for text in ["before"] + during + ["after"] {
            #expect(shown.filter { $0 == text }.count == 1, "\(text) in \(shown)")
        }
        let tried = log.events(0).compactMap { entry -> ServerChoice? in
            if case .connectionState(.connecting(_, let server)) = entry.event { server } else { nil }
        }
        #expect(tried.first?.address.port == ports[0])
        #expect(tried.last?.address.port == ports[1] && tried.last?.index == 1 && tried.last?.count == 2)
        #expect(!log.events(0).contains { if case .gap = $0.event { true } else { false } }, "the resume got everything")
        // Messages committed before Ann even tried the second node must have come by the resume's `since`.
        let echoes = log.events(1).filter { entry in
            if case .message(let message) = entry.event { during.contains(message.text) } else { false }
        }
        let retried = log.events(0).filter { if case .connectionState(.connecting) = $0.event { true } else { false } }.dropFirst().first?.at
        if let lastEcho = echoes.last?.at, echoes.count == during.count, let retried, lastEcho < retried {
            let resumed = log.events(0).flatMap { entry -> [String] in
                if case .history(let batch) = entry.event, batch.kind == .resumed { batch.messages.map(\.text) } else { [] }
            }
            #expect(resumed == during)
        } else {
            print("ClusterFailoverTests: Ann retried before every message was committed; the resume was not isolated this time")
        }
        await mover.shutdown()
        await speaker.shutdown()
    }
}
