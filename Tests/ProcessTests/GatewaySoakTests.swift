import Foundation
import Testing

/// Two minutes of churn against a real `ozgate` process: 200 simulated members (`ozload churn`) join, leave and chat
/// the whole time, while this test samples the gateway's resident memory. Passes when memory stays flat and
/// `ozload`'s own checks find every accepted message delivered to every member that stayed connected, in one order,
/// and every roster equal to the gateway's.
@Suite("ozgate soak", .serialized)
struct GatewaySoakTests {
    static let members = 200
    static let seconds = 120.0
    /// Leaves (each followed by a join) and room messages per second: every member is replaced three times on average,
    /// and each second brings 4,000 deliveries, while leaving the other tests (they run in parallel) most of the CPU.
    static let churnRate = 5.0
    static let messageRate = 20.0

    @Test(.timeLimit(.minutes(6)))
    func twoMinutesOfChurnKeepMemoryFlatAndLoseNoMessage() async throws {
        let lobby = try LobbyFixture()
        let port = lobby.port
        let gateway = try await lobby.startGateway(["--log-level", "warning"])

        let load = try ChildProcess(
            "ozload",
            [
                "churn", "--url", "ws://127.0.0.1:\(port)/", "--token", "tok", "--clients", "\(Self.members)", "--duration", "\(Self.seconds)",
                "--churn-rate", "\(Self.churnRate)", "--message-rate", "\(Self.messageRate)", "--json",
            ])
        let memory = await ResidentMemory.sample(pid: gateway.pid, every: .seconds(2)) { !load.process.isRunning }
        let status = await load.waitForExit(timeout: .seconds(120))
        print("gateway RSS series: \(memory.series)")

        // Delivery and rosters: ozload's verdict, and the figures behind it.
        let json = try #require(load.lines.last { $0.hasPrefix("{") }, "no JSON report; stderr:\n\(load.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        print("ozload churn report: \(json)")
        func figure(_ key: String) -> Int { (report[key] as? NSNumber)?.intValue ?? -1 }
        #expect(status == 0)
        #expect(report["ok"] as? Bool == true, "ozload churn found problems: \(report["first_problems"] ?? "")")
        #expect(figure("messages_lost") == 0)
        #expect(figure("roster_mismatches") == 0)
        #expect(figure("order_violations") == 0)
        #expect(figure("protocol_anomalies") == 0)
        // Not vacuous: the room really churned and chatted, and members were there at the end to check.
        #expect(figure("leaves") >= Int(Self.seconds * Self.churnRate * 0.8))
        #expect(figure("messages_accepted") >= Int(Self.seconds * Self.messageRate * 0.5))
        #expect(figure("members_at_end") >= Self.members - 10)

        // Memory: the second quarter against the last (see `ResidentMemory.allowedGrowthKiB`).
        let quarters = memory.quarters(of: Self.seconds)
        let second = try #require(ResidentMemory.median(quarters[1]), "no RSS sample in the second quarter")
        let last = try #require(ResidentMemory.median(quarters[3]), "no RSS sample in the last quarter")
        let allowed = ResidentMemory.allowedGrowthKiB(from: second)
        let peak = memory.samples.map(\.kib).max() ?? 0
        print(
            String(
                format: "gateway RSS: %d samples, median Q2 %.1f MiB, median Q4 %.1f MiB, growth %+.1f MiB (allowed %.1f MiB), peak %.1f MiB",
                memory.samples.count, Double(second) / 1024, Double(last) / 1024, Double(last - second) / 1024, Double(allowed) / 1024,
                Double(peak) / 1024))
        #expect(quarters.allSatisfy { $0.count >= 5 }, "too few RSS samples: \(quarters.map(\.count))")
        #expect(last - second <= allowed, "gateway RSS grew from \(second) KiB to \(last) KiB")
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }
}
