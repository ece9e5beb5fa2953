import Foundation
import Logging
import OzCluster
import TestSupport

@testable import OzGateway

/// Gateway nodes of one cluster, each on its own free loopback port, on a private PostgreSQL (fsync off unless
/// `durable`). Nodes reap a dead one after `timeout`.
final class ClusterTestbed: @unchecked Sendable {
    let server: PostgresServer
    private(set) var nodes: [(node: ClusterNode, gateway: Gateway)] = []
    let settings: ClusterNode.Settings
    let logs: CapturedLog?

    private init(server: PostgresServer, settings: ClusterNode.Settings, logs: CapturedLog?) {
        self.server = server
        self.settings = settings
        self.logs = logs
    }

    var ports: [Int] { nodes.map(\.gateway.port) }

    /// Starts one more node and returns its index.
    @discardableResult
    func addNode(_ configure: (inout GatewayConfiguration) -> Void = { _ in }) async throws -> Int {
        var logger = Logger(label: "cluster-node-\(nodes.count)")
        logger.logLevel = .critical
        if let logs { logger = logs.logger }
        let node = try await ClusterNode.start(
            location: try ClusterLocation(server.url), nodeID: "node\(nodes.count)", lines: TestGateway.directory.lines.map(\.name),
            settings: settings, logger: logger)
        var configuration = GatewayConfiguration(port: 0, directory: TestGateway.directory)
        configure(&configuration)
        configuration.roomProvider = node
        let gateway = Gateway(configuration: configuration, logger: logger)
        try await gateway.start()
        nodes.append((node, gateway))
        return nodes.count - 1
    }

    /// Runs `body` with `count` nodes, then shuts every node down and stops PostgreSQL.
    static func with<T>(
        nodes count: Int, durable: Bool = false, settings: ClusterNode.Settings = ClusterNode.Settings(), logs: CapturedLog? = nil,
        configure: (inout GatewayConfiguration) -> Void = { _ in }, _ body: (ClusterTestbed) async throws -> T
    ) async throws -> T {
        let server = try PostgresServer(fast: !durable)
        defer { server.stop() }
        let testbed = ClusterTestbed(server: server, settings: settings, logs: logs)
        do {
            for _ in 0..<count { try await testbed.addNode(configure) }
            let result = try await body(testbed)
            await testbed.shutdown()
            return result
        } catch {
            await testbed.shutdown()
            throw error
        }
    }

    func shutdown() async {
        for (_, gateway) in nodes { await gateway.shutdown() }
    }
}
