import Foundation
import Logging
import NIOCore
import OzProtocol
import TestSupport

@testable import OzGateway

/// A real gateway on a free loopback port, with the lines and extension the tests use.
enum TestGateway {
    static let lobbyToken = "lobby-token-1"
    static let otherToken = "other-token-2"
    static let expiredToken = "expired-token-3"
    static let extensionNumber = "1500"
    static let extensionPassword = "12345678"

    static let directory = AccessDirectory(
        lines: [
            LineCredential(name: "lobby", tokenHash: .token(lobbyToken)),
            LineCredential(name: "other", tokenHash: .token(otherToken)),
            LineCredential(name: "old", tokenHash: .token(expiredToken), expires: Date(timeIntervalSince1970: 978_307_200)),
        ],
        // A low scrypt cost keeps the tests quick; production hashes use SecretHash.defaultScryptLogN.
        extensions: [ExtensionCredential(number: extensionNumber, passwordHash: .password(extensionPassword, logN: 10), lineName: "lobby")]
    )

    /// Runs `body` against a started gateway, then shuts it down.
    static func with<T>(
        _ configure: (inout GatewayConfiguration) -> Void = { _ in },
        logs: CapturedLog? = nil,
        _ body: (Gateway) async throws -> T
    ) async throws -> T {
        var configuration = GatewayConfiguration(port: 0, directory: directory)
        // Not the 10 s default: on a loaded 2-core machine (the whole suite in parallel, processes paging in their
        // binaries) a test's client has been seen to wait over 10 s between opening its socket and sending `connect`,
        // and the deadline then closed it ("I/O on closed channel"). Tests of the deadline set their own.
        configuration.handshakeTimeout = .seconds(60)
        configure(&configuration)
        var logger = Logger(label: "test-gateway")
        logger.logLevel = .critical
        if let logs { logger = logs.logger }
        let gateway = Gateway(configuration: configuration, logger: logger)
        try await gateway.start()
        do {
            let result = try await body(gateway)
            await gateway.shutdown()
            return result
        } catch {
            await gateway.shutdown()
            throw error
        }
    }
}

extension ServerFrame {
    /// The phoneNumber of an ACCESS_GRANTED frame.
    var grantedNumber: String? {
        if case .accessGranted(let number, _, _) = self { return number }
        return nil
    }

    var grantedClients: [ClientInfo]? {
        if case .accessGranted(_, _, let clients) = self { return clients }
        return nil
    }

    var errorCode: ErrorCode? {
        if case .error(let code, _, _) = self { return code }
        return nil
    }

    var chatMessage: ChatMessage? {
        if case .message(let message) = self { return message }
        return nil
    }

    var presence: [ClientInfo]? {
        if case .clientStateChanged(let clients) = self { return clients }
        return nil
    }
}

extension TestSocket {
    /// Collects presence changes until `count` entries arrived.
    func presenceChanges(count: Int, timeout: Duration = .seconds(5)) async throws -> [ClientInfo] {
        var seen: [ClientInfo] = []
        while seen.count < count {
            let frame = try await next(matching: { $0.presence != nil }, timeout: timeout)
            seen += frame.presence ?? []
        }
        return seen
    }
}
