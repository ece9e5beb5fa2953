import Logging
import OzSignals
import ServiceLifecycle
import UnixSignals

/// How `ozgate` lives: its services run in a `ServiceGroup` that shuts down gracefully on SIGTERM or SIGINT.
///
/// When the group has ended, the two signals have their earlier actions back (usually the default, which ends the
/// process): the signal source under the group would otherwise keep catching and dropping them.
public enum GatewayLifetime {
    /// The signals that start a graceful shutdown.
    public static let shutdownSignals: [UnixSignal] = [.sigterm, .sigint]

    /// Runs `services` until they have all ended; rethrows the first error one of them threw.
    public static func run(_ services: [any Service], logger: Logger) async throws {
        let saved = SavedSignalActions(shutdownSignals.map(\.rawValue))
        defer { saved.restore() }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: shutdownSignals, logger: logger))
        try await group.run()
    }
}
