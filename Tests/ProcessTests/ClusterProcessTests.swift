import Foundation
import OzClient
import OzProtocol
import TestSupport
import Testing

/// `ozgate --cluster` processes on one private PostgreSQL: a node killed with SIGKILL has its members announced OFFLINE
/// on the surviving node, each exactly once, within 10 s; and the usage rules of `--cluster`.
@Suite("ozgate --cluster processes", .serialized)
struct ClusterProcessTests {
    @Test func clusterAndStoreTogetherAreAUsageError() async throws {
        let lobby = try LobbyFixture()
        let gateway = try ChildProcess(
            "ozgate", ["--config", lobby.config.path, "--port", "0", "--cluster", "postgres://u@127.0.0.1/db", "--store", "memory"])
        #expect(await gateway.waitForExit() == 64)
        #expect(gateway.stderr.contains("give --cluster or --store, not both"))
    }

    @Test func anUnreachablePostgresIsExit69WithTheURL() async throws {
        let lobby = try LobbyFixture()
        let port = try TemporaryFolder.freePort()
        let gateway = try ChildProcess(
            "ozgate", ["--config", lobby.config.path, "--port", "0", "--cluster", "postgres://u:secret@127.0.0.1:\(port)/db"])
        #expect(await gateway.waitForExit() == 69)
        #expect(gateway.stderr.contains("cannot reach the cluster's PostgreSQL at postgres://u@127.0.0.1:\(port)/db"))
        #expect(!gateway.stderr.contains("secret"))
    }

    @Test(.timeLimit(.minutes(3)))
    func aKilledNodesMembersGoOfflineOnceWithinTenSeconds() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let lobby = try LobbyFixture()
        let ports = [lobby.port, try TemporaryFolder.freePort()]
        let nodes = try await ClusterNodes.start(ports: ports, lobby: lobby, server: server)
        defer { for node in nodes { node.signal(SIGKILL) } }

        // Five members on the doomed node 0, an observer on node 1.
        let count = 6
        let log = ClientEventLog(clients: count)
        let clients = (0..<count).map { OzClient(eventSink: log.sink($0)) }
        for (index, client) in clients.enumerated() {
            let port = index == count - 1 ? ports[1] : ports[0]
            try await client.connect(serverAddress: "127.0.0.1:\(port)", token: "tok", properties: ["Nickname": .string("c\(index)")])
        }
        let observer = clients[count - 1]
        try await waitUntil("the observer sees all five", timeout: .seconds(30)) { await observer.roster.count == count - 1 }
        // The observer can hear of a member before that member's own client has read its grant.
        try await waitUntil("every member has its number", timeout: .seconds(30)) {
            for client in clients where await client.phoneNumber == nil { return false }
            return true
        }
        var doomed: [String] = []
        for client in clients.dropLast() { doomed.append(try #require(await client.phoneNumber)) }

        nodes[0].signal(SIGKILL)
        let killed = ContinuousClock.now
        #expect(await nodes[0].waitForExit() != 0)
        try await waitUntil("the observer's roster empties", timeout: .seconds(15)) { await observer.roster.count == 0 }
        let took = ContinuousClock.now - killed
        print("OFFLINE for a killed node's \(doomed.count) members after \(took)")
        #expect(took < .seconds(10))
        // Each exactly once.
        for number in doomed {
            let offline = log.events(count - 1).filter { entry in
                if case .clientState(let info) = entry.event { return info.phoneNumber == number && info.status == .offline }
                return false
            }
            #expect(offline.count == 1, "\(number)")
        }
        // The surviving node still serves the room, and messages still flow.
        _ = try await observer.send("still here")
        try await waitUntil("the observer's own echo", timeout: .seconds(10)) {
            log.events(count - 1).contains { entry in
                if case .message(let message) = entry.event { return message.text == "still here" }
                return false
            }
        }
        for client in clients { await client.shutdown() }
    }

    @Test(.timeLimit(.minutes(3)))
    func metricsCountAcrossNodesAndHealthFollowsPostgres() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let lobby = try LobbyFixture()
        let ports = [lobby.port, try TemporaryFolder.freePort()]
        let nodes = try await ClusterNodes.start(ports: ports, lobby: lobby, server: server, extra: ["--metrics-port", "0"])
        var endpoints: [MetricsEndpoint] = []
        for node in nodes { endpoints.append(try await MetricsEndpoint.announced(by: node)) }
        defer { for node in nodes { node.signal(SIGKILL) } }

        let log = ClientEventLog(clients: 2)
        let clients = (0..<2).map { OzClient(eventSink: log.sink($0)) }
        for (index, client) in clients.enumerated() {
            try await client.connect(serverAddress: "127.0.0.1:\(ports[index])", token: "tok")
        }
        try await waitUntil("both see each other", timeout: .seconds(30)) {
            let (first, second) = (await clients[0].roster.count, await clients[1].roster.count)
            return first == 1 && second == 1
        }
        _ = try await clients[0].send("across")
        try await waitUntil("node 1 delivered it", timeout: .seconds(30)) {
            log.events(1).contains { if case .message(let message) = $0.event { message.text == "across" } else { false } }
        }
        let written = try await endpoints[0].samples()
        #expect(written["ozgate_members"] == 1)
        #expect(written["ozgate_messages_received_total"] == 1)
        #expect((written["ozgate_store_write_seconds_count"] ?? 0) >= 2)  // at least the ONLINE, then the message
        let heard = try await endpoints[1].samples()
        #expect(heard["ozgate_messages_received_total"] == 0)
        #expect(heard["ozgate_messages_delivered_total"] == 1)
        // Node 0's ONLINE and its message, at least, came from elsewhere.
        #expect((heard["ozgate_cluster_notify_lag_seconds_count"] ?? 0) >= 2)
        #expect(heard["ozgate_presence_events_total"] == 2)
        // The reaper starts looking once the node has been connected for its timeout (5 s).
        try await waitUntil("the reaper has run", timeout: .seconds(30)) {
            (try await endpoints[1].samples()["ozgate_cluster_reaper_runs_total"] ?? 0) >= 1
        }

        // PostgreSQL away: no logins (503 with the reason); back: 200 again.
        for endpoint in endpoints { #expect(try await endpoint.get("/healthz").status == 200) }
        try server.halt()
        try await waitUntil("the node reports the store unavailable", timeout: .seconds(30)) {
            try await endpoints[0].get("/healthz") == (503, "unavailable: cluster store unavailable\n")
        }
        try server.start()
        try await waitUntil("the node is healthy again", timeout: .seconds(60)) {
            try await endpoints[0].get("/healthz").status == 200
        }
        for client in clients { await client.shutdown() }
    }
}
