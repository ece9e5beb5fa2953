import Foundation
import Logging
import NIOCore
import OzClient
import OzGateway
import OzProtocol

/// Starts real gateways on loopback for client tests, optionally on a fixed port (to restart "the same" gateway).
enum ClientTestGateway {
    static let token = "client-test-token"
    static let extensionNumber = "1500"
    static let extensionPassword = "12345678"

    static func start(port: Int = 0) async throws -> Gateway {
        let directory = AccessDirectory(
            lines: [LineCredential(name: "lobby", tokenHash: .token(token))],
            extensions: [ExtensionCredential(number: extensionNumber, passwordHash: .password(extensionPassword, logN: 10), lineName: "lobby")]
        )
        var logger = Logger(label: "client-test-gateway")
        logger.logLevel = .critical
        var configuration = GatewayConfiguration(port: port, directory: directory)
        configuration.closeGrace = .milliseconds(500)
        let gateway = Gateway(configuration: configuration, logger: logger)
        try await gateway.start()
        return gateway
    }

    /// A port that nothing listens on (bound once, then released).
    static func unusedPort() async throws -> Int {
        let gateway = try await start()
        let port = gateway.port
        await gateway.shutdown()
        return port
    }
}

extension OzClientConfiguration {
    /// Quick, deterministic retries for tests: the longest delay the backoff allows, from a 50 ms base.
    static var fastRetries: OzClientConfiguration {
        OzClientConfiguration(
            machine: .init(backoff: Backoff(base: .milliseconds(50), cap: .seconds(1))),
            sample: { $0.upperBound }
        )
    }
}
