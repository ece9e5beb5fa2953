import OzGateway
import ServiceLifecycle

/// The gateway as a service of a `ServiceGroup`: `run()` starts it, hands its port to `onListening`, serves until the
/// group shuts down gracefully (or is cancelled), then calls `onShuttingDown` and ends every session with
/// `CONNECTION_CLOSED` reason `shutdown` (`Gateway.shutdown()`) before it returns.
public struct GatewayService: Service {
    /// Thrown by `run()` when the gateway cannot listen (the error it failed with inside).
    public struct CannotListen: Error {
        public let underlying: any Error
    }

    public let gateway: Gateway
    private let onListening: @Sendable (Int) async -> Void
    private let onShuttingDown: @Sendable () -> Void

    public init(
        gateway: Gateway, onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onShuttingDown: @escaping @Sendable () -> Void = {}
    ) {
        self.gateway = gateway
        self.onListening = onListening
        self.onShuttingDown = onShuttingDown
    }

    public func run() async throws {
        do {
            try await gateway.start()
        } catch {
            await gateway.shutdown()
            throw CannotListen(underlying: error)
        }
        await onListening(gateway.port)
        // Returns on a graceful shutdown (also one asked for while the gateway was starting); throws when cancelled,
        // which ends the sessions just the same.
        try? await gracefulShutdown()
        onShuttingDown()
        await gateway.shutdown()
    }
}
