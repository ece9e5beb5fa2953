import Foundation
import OzClient
import OzProtocol
import Testing

/// `ozgate --metrics-port`: what two members and a message do to `/metrics`, and `/healthz`, against a real process.
@Suite("ozgate metrics")
struct GatewayMetricsTests {
    @Test(.timeLimit(.minutes(2)))
    func twoMembersAndAMessageAreCountedAndHealthIsOK() async throws {
        let lobby = try LobbyFixture()
        let gateway = try await lobby.startGateway(["--metrics-port", "0", "--store", "memory"])
        defer { gateway.signal(SIGKILL) }
        let metrics = try await MetricsEndpoint.announced(by: gateway)
        let health = try await metrics.get("/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
        let before = try await metrics.samples()
        #expect(before["ozgate_rooms"] == 1)
        #expect(before["ozgate_connections"] == 0)

        let log = ClientEventLog(clients: 2)
        let clients = (0..<2).map { OzClient(eventSink: log.sink($0)) }
        for client in clients { try await client.connect(serverAddress: "127.0.0.1:\(lobby.port)", token: "tok") }
        try await waitUntil("both see each other", timeout: .seconds(30)) {
            let (first, second) = (await clients[0].roster.count, await clients[1].roster.count)
            return first == 1 && second == 1
        }
        _ = try await clients[0].send("counted")
        try await waitUntil("both have the message", timeout: .seconds(30)) {
            (0..<2).allSatisfy { index in
                log.events(index).contains { if case .message(let message) = $0.event { message.text == "counted" } else { false } }
            }
        }
        // The store writes within its batch window (50 ms); wait for the count rather than for a fixed time.
        var samples: [String: Double] = [:]
        try await waitUntil("the store's write is counted", timeout: .seconds(30)) {
            samples = try await metrics.samples()
            return (samples["ozgate_store_write_seconds_count"] ?? 0) >= 1
        }
        #expect(samples["ozgate_connections"] == 2)
        #expect(samples["ozgate_members"] == 2)
        #expect(samples["ozgate_messages_received_total"] == 1)
        #expect(samples["ozgate_messages_delivered_total"] == 2)
        #expect(samples["ozgate_presence_events_total"] == 2)
        #expect(
            samples[#"ozgate_rate_limit_refusals_total{limit="message_rate"}"#] == nil
                || samples[#"ozgate_rate_limit_refusals_total{limit="message_rate"}"#] == 0)

        for client in clients { await client.shutdown() }
        try await waitUntil("the members are gone", timeout: .seconds(30)) {
            let now = try await metrics.samples()
            return now["ozgate_members"] == 0 && now["ozgate_connections"] == 0
        }
        #expect(try await metrics.get("/nothing").status == 404)
    }

    @Test func aMetricsPortInUseIsExit69() async throws {
        let lobby = try LobbyFixture()
        let first = try await lobby.startGateway(["--metrics-port", "0", "--store", "memory"])
        defer { first.signal(SIGKILL) }
        let taken = try await MetricsEndpoint.announced(by: first)
        let port = try #require(URL(string: taken.base)?.port)
        let second = try ChildProcess(
            "ozgate", ["--config", lobby.config.path, "--port", "0", "--store", "memory", "--metrics-port", "\(port)"])
        #expect(await second.waitForExit() == 69)
        #expect(second.stderr.contains("cannot listen for metrics on 127.0.0.1:\(port)"))
    }
}
