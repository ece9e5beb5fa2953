import Foundation
import OzClient
import OzGateway
import OzProtocol
import Testing

/// `OzClient` with several servers for one room (issue 15), over loopback: a dead first server, a server stopped under
/// a granted session, and the cluster's transient denial against an ordinary one.
@Suite("OzClient with several servers")
struct OzClientFailoverTests {
    /// The servers the client's `CONNECTING` states named, in order, as `index/count`.
    static func tried(_ events: EventRecorder) -> [String] {
        events.states.compactMap { state in
            if case .connecting(_, let server) = state { "\(server.address.port) \(server.index + 1)/\(server.count)" } else { nil }
        }
    }

    @Test func aDeadFirstServerIsPassedOverForTheSecond() async throws {
        let (dead, held) = try ClientTestGateway.refusingPort()
        defer { close(held) }
        let gateway = try await ClientTestGateway.start()
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(
            serverAddresses: ["127.0.0.1:\(dead)", "127.0.0.1:\(gateway.port)"], token: ClientTestGateway.token, properties: ["Nickname": "Ann"])
        _ = try await events.waitForState("ACCESS_GRANTED", timeout: .seconds(60))
        #expect(events.states.map(\.wireName) == ["CONNECTING", "CONNECTION_FAILED", "CONNECTING", "ACCESS_GRANTED"])
        #expect(Self.tried(events) == ["\(dead) 1/2", "\(gateway.port) 2/2"])
        #expect(events.states[1].reason == "connection refused")
        await client.shutdown()
        await gateway.shutdown()
    }

    @Test func aStoppedServersSessionMovesToTheNextAndIsGrantedThere() async throws {
        let first = try await ClientTestGateway.start()
        let second = try await ClientTestGateway.start()
        let (firstPort, secondPort) = (first.port, second.port)
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(
            serverAddresses: ["127.0.0.1:\(firstPort)", "127.0.0.1:\(secondPort)"], token: ClientTestGateway.token,
            properties: ["Nickname": "Ann"])
        _ = try await events.waitForState("ACCESS_GRANTED", timeout: .seconds(60))
        // A watcher on the second server sees Ann arrive there once the first is gone.
        let watcher = OzClient(configuration: .fastRetries)
        let watched = EventRecorder(watcher)
        try await watcher.connect(serverAddress: "127.0.0.1:\(secondPort)", token: ClientTestGateway.token, properties: ["Nickname": "Bob"])
        _ = try await watched.waitForState("ACCESS_GRANTED", timeout: .seconds(60))

        await first.shutdown()
        let closed = try await events.waitForState("CONNECTION_CLOSED", timeout: .seconds(60))
        #expect(closed.retry != nil)
        _ = try await events.waitForState("ACCESS_GRANTED", count: 2, timeout: .seconds(60))
        #expect(events.states.map(\.wireName) == ["CONNECTING", "ACCESS_GRANTED", "CONNECTION_CLOSED", "CONNECTING", "ACCESS_GRANTED"])
        #expect(Self.tried(events) == ["\(firstPort) 1/2", "\(secondPort) 2/2"])
        let annOnSecond = try await watched.wait(for: "Ann online on the second server") {
            $0.client?.status == .online && $0.client?.properties["Nickname"] == "Ann"
        }
        let number = await client.phoneNumber
        #expect(annOnSecond.client?.phoneNumber == number)
        // The session works there: a message goes out and comes back.
        try await client.send("on the second server")
        try await watched.wait(for: "Ann's message") { $0.chat?.text == "on the second server" }
        await client.shutdown()
        await watcher.shutdown()
        await second.shutdown()
    }

    /// The denial a cluster node gives while its store is away, as the gateway sends it.
    static func denial(_ reason: String) -> String {
        "{\"type\":\"connectionState\",\"state\":\"ACCESS_DENIED\",\"reason\":\"\(reason)\"}"
    }

    @Test func theClusterStoreDenialMovesOnToTheNextServer() async throws {
        let unavailable = try await ScriptedGateway.start(answering: [Self.denial(TransientDenial.clusterStoreUnavailable)])
        let gateway = try await ClientTestGateway.start()
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(
            serverAddresses: ["127.0.0.1:\(unavailable.port)", "127.0.0.1:\(gateway.port)"], token: ClientTestGateway.token,
            properties: ["Nickname": "Ann"])
        _ = try await events.waitForState("ACCESS_GRANTED", timeout: .seconds(60))
        #expect(events.states.map(\.wireName) == ["CONNECTING", "CONNECTION_FAILED", "CONNECTING", "ACCESS_GRANTED"])
        #expect(events.states[1].reason == "access denied: cluster store unavailable")
        #expect(events.states[1].retry != nil)
        #expect(Self.tried(events) == ["\(unavailable.port) 1/2", "\(gateway.port) 2/2"])
        await client.shutdown()
        await unavailable.stop()
        await gateway.shutdown()
    }

    @Test func anOrdinaryDenialIsFinalEvenWithAnotherServer() async throws {
        let refusing = try await ScriptedGateway.start(answering: [Self.denial("unknown token")])
        let gateway = try await ClientTestGateway.start()
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(
            serverAddresses: ["127.0.0.1:\(refusing.port)", "127.0.0.1:\(gateway.port)"], token: ClientTestGateway.token,
            properties: ["Nickname": "Ann"])
        let denied = try await events.waitForState("ACCESS_DENIED", timeout: .seconds(60))
        #expect(denied == .accessDenied(reason: "unknown token"))
        // Twenty times the first retry's delay (50 ms): had one been scheduled, it would have come.
        try await Task.sleep(for: .seconds(1))
        #expect(events.states.map(\.wireName) == ["CONNECTING", "ACCESS_DENIED"])
        await client.shutdown()
        await refusing.stop()
        await gateway.shutdown()
    }

    @Test func anEmptyOrBadListIsRefusedBeforeAnythingIsTried() async throws {
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        await #expect(throws: ServerAddressError.empty) { try await client.connect(serverAddresses: [], token: "t") }
        await #expect(throws: ServerAddressError.self) { try await client.connect(serverAddresses: ["127.0.0.1:7779", "http://x"], token: "t") }
        try await Task.sleep(for: .milliseconds(100))
        #expect(events.states.isEmpty)
        await client.shutdown()
    }
}
