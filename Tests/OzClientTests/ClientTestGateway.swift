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

    /// `store`: keep room history in it (OzWire v1.1); pass the same SQLite store's path again to keep it across a restart.
    static func start(port: Int = 0, tls: GatewayTLS? = nil, logger: Logger? = nil, store: (any MessageStore)? = nil) async throws -> Gateway {
        let directory = AccessDirectory(
            lines: [LineCredential(name: "lobby", tokenHash: .token(token))],
            extensions: [ExtensionCredential(number: extensionNumber, passwordHash: .password(extensionPassword, logN: 10), lineName: "lobby")]
        )
        var quiet = Logger(label: "client-test-gateway")
        quiet.logLevel = .critical
        let logger = logger ?? quiet
        var configuration = GatewayConfiguration(port: port, directory: directory, tls: tls)
        configuration.closeGrace = .milliseconds(500)
        if let store { configuration.history = try GatewayHistory(store: store, rooms: ["lobby"], logger: logger) }
        // Restarting on a fixed port can briefly collide with an ephemeral port of another test's socket: retry.
        var attempt = 0
        while true {
            let gateway = Gateway(configuration: configuration, logger: logger)
            do {
                try await gateway.start()
                return gateway
            } catch {
                await gateway.shutdown()
                attempt += 1
                if port == 0 || attempt >= 50 { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// A port that refuses connections: bound but not listening, and held (so no one else takes it) until the
    /// returned descriptor is closed.
    static func refusingPort() throws -> (port: Int, descriptor: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (Int(UInt16(bigEndian: address.sin_port)), fd)
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
