import Foundation
import TestSupport

/// `ozgate --cluster` processes for the tests: one node per port, all with `lobby`'s config on `server`'s PostgreSQL,
/// named `n0`, `n1`, …, each returned once it says it is listening.
enum ClusterNodes {
    /// `extra` is added to every node's arguments.
    static func start(ports: [Int], lobby: LobbyFixture, server: PostgresServer, extra: [String] = []) async throws -> [ChildProcess] {
        var nodes: [ChildProcess] = []
        for (index, port) in ports.enumerated() {
            let node = try ChildProcess(
                "ozgate",
                ["--config", lobby.config.path, "--port", "\(port)", "--cluster", server.url, "--node-id", "n\(index)", "--log-level", "warning"]
                    + extra)
            try await node.waitForLine("listening", timeout: .seconds(60)) { $0.hasPrefix("listening on ws://") }
            nodes.append(node)
        }
        return nodes
    }
}
