import ServiceLifecycle

/// Something ozgate holds for as long as its `ServiceGroup` runs, closed when the group shuts down. The group shuts
/// its services down in reverse order, so one listed before the gateway (the cluster node) is closed after the gateway
/// has ended every session.
public struct ClosingService: Service {
    private let close: @Sendable () async -> Void

    public init(close: @escaping @Sendable () async -> Void) {
        self.close = close
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
