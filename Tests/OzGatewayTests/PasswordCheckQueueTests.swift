import NIOCore
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// Extension logins cost a slow scrypt check each; only a bounded number wait for one, and a login past that is
/// refused as "server busy" (logged once per busy spell, not once per login).
@Suite("Gateway: password check queue")
struct PasswordCheckQueueTests {
    @Test func aFullQueueRefusesAndLogsOncePerBusySpell() {
        let logs = CapturedLog()
        let queue = PasswordCheckQueue(capacity: 2, logger: logs.logger)
        #expect(queue.enter() && queue.enter())
        #expect(!queue.enter() && !queue.enter() && !queue.enter())
        #expect(logs.lines("server busy") == ["server busy limit=2 reason=password checks queue full"])
        queue.leave()
        // A place came free, but the spell is not over until the queue has emptied.
        #expect(queue.enter())
        #expect(!queue.enter())
        queue.leave()
        queue.leave()
        #expect(queue.pending == 0)
        #expect(logs.lines("server no longer busy") == ["server no longer busy reason=password checks queue drained refused=4"])
        // The next spell is logged again.
        #expect(queue.enter() && queue.enter() && !queue.enter())
        #expect(logs.lines("server busy").count == 2)
    }

    /// A flood of extension logins against a real gateway whose queue holds one check: the ones that find it full are
    /// denied at once with a reason, the others are checked, and the log has a line per spell, not per login.
    @Test func aFloodOfExtensionLoginsIsBounded() async throws {
        let logs = CapturedLog()
        let number = "1600"
        try await TestGateway.with(
            { configuration in
                // A real cost (N = 2^15), so checks overlap when the logins arrive together.
                let slow = ExtensionCredential(number: number, passwordHash: .password("right", logN: 15), lineName: "lobby")
                configuration.directory = AccessDirectory(lines: TestGateway.directory.lines, extensions: [slow])
                configuration.limits.maxPendingPasswordChecks = 1
                // The checks run one after another: no login may meet the handshake deadline while it waits for one.
                configuration.handshakeTimeout = .seconds(120)
            }, logs: logs
        ) { gateway in
            let replies = try await withThrowingTaskGroup(of: ServerFrame.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        // The checks run one after another, and a test run loads both cores: wait long rather than fail on a slow machine.
                        let (socket, reply) = try await TestSocket.join(
                            port: gateway.port, token: number, properties: ["Password": "wrong"], timeout: .seconds(60))
                        await socket.close()
                        return reply
                    }
                }
                return try await group.reduce(into: [ServerFrame]()) { $0.append($1) }
            }
            let reasons = replies.compactMap { frame -> String? in
                if case .accessDenied(let reason) = frame { reason } else { nil }
            }
            #expect(reasons.count == 12)
            let busy = reasons.filter { $0 == "server busy: too many logins are being checked; try again in a moment" }.count
            let checked = reasons.filter { $0 == "wrong password for extension \(number)" }.count
            #expect(busy >= 1 && checked >= 1 && busy + checked == 12)
            // Every spell ends with one line counting its refusals; together they count every busy login.
            let ended = await logs.wait(for: "server no longer busy")
            let spells = logs.lines("server busy").count
            let counted = ended.compactMap { $0.split(separator: " ").first { $0.hasPrefix("refused=") }.flatMap { Int($0.dropFirst(8)) } }
            #expect(counted.reduce(0, +) == busy)
            #expect(spells == ended.count && spells <= busy)
            #expect(gateway.core.passwordChecks.pending == 0)
        }
    }
}
