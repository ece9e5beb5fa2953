import Foundation
import Logging
import OzGateway
import OzGatewayLifetime
import Testing

/// ozgate's lifetime (`GatewayLifetime` + `GatewayService`) run in-process, in a process of its own (exit tests).
@Suite("GatewayLifetime")
struct GatewayLifetimeTests {
    /// SIGTERM shuts the gateway down gracefully and ends the service group; after it SIGINT has its default action
    /// again, so a program that goes on (or a second Ctrl-C) is not left unable to be interrupted.
    @Test func afterTheServiceGroupEndsSIGINTHasItsDefaultActionAgain() async {
        await #expect(processExitsWith: .signal(SIGINT)) {
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let gateway = Gateway(
                configuration: GatewayConfiguration(port: 0, directory: AccessDirectory(lines: [], extensions: [])), logger: logger)
            let service = GatewayService(gateway: gateway, onListening: { _ in kill(getpid(), SIGTERM) })
            do {
                try await GatewayLifetime.run([service], logger: logger)
            } catch {
                exit(3)
            }
            var action = sigaction()
            sigaction(SIGINT, nil, &action)
            guard action.__sigaction_handler.sa_handler == nil else { exit(4) }  // SIG_DFL
            raiseUnblocked(SIGINT)
            exit(0)
        }
    }
}
