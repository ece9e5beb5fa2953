import ArgumentParser
import Foundation
import NIOCore

/// `ozload storm`: N clients join one room at once; measures the time until every member's roster is complete,
/// and the frames and bytes each member received on the way. Over several nodes (a cluster) the clients are spread
/// round-robin, so a complete roster is one that has heard of every join on every node; the time is also given per
/// node (its last member to complete).
struct Storm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "N clients join one room at once; time to a complete roster everywhere.")

    @OptionGroup var gateway: GatewayOptions
    @Option(help: "Number of clients.") var clients = 1000
    @Option(help: "Give up after this many seconds.") var timeout = 60.0

    func run() async throws {
        try await gateway.run { context, token in await Self.measure(context, token: token, clients: clients, timeout: timeout) }
    }

    static func measure(_ context: LoadContext, token: String, clients n: Int, timeout: Double) async -> Report {
        let tally = context.tally
        let cpu = context.cpuSeconds()
        let start = NIODeadline.now().uptimeNanoseconds
        let clients = (0..<n).map { context.connect(index: $0, token: token, tracking: .counts, rosterTarget: n - 1) }
        let converged = await context.wait(upTo: timeout, step: 0.001) {
            tally.complete.value >= n
                || tally.failed.value + tally.denied.value + tally.closed.value > 0
        }
        var report = Report(scenario: "storm")
        context.addCPU(since: cpu, to: &report)
        let figures = (try? await context.collect(clients) { ($0.grantedAt, $0.completedAt, $0.frames, $0.bytes, $0.index) }) ?? []
        await context.closeAll(clients)

        report.ok = converged && tally.complete.value >= n
        report.add("clients", n)
        report.add("granted", tally.granted.value)
        report.add("converged_members", tally.complete.value)
        report.add("failed_or_denied", tally.failed.value + tally.denied.value)
        let seconds = { (t: UInt64) in t == 0 ? Double.nan : Double(t - start) / 1e9 }
        report.add("all_granted_s", seconds(figures.map(\.0).contains(0) ? 0 : figures.map(\.0).max() ?? 0), "s")
        report.add("converge_s", seconds(report.ok ? figures.map(\.1).max() ?? 0 : 0), "s")
        if context.ports.count > 1 {
            // Each node's last member to complete, and how long after the last grant anywhere the last completion came.
            let perNode = (0..<context.ports.count).map { node in
                let done = figures.filter { context.node(of: $0.4) == node }.map(\.1)
                return done.contains(0) ? Double.nan : seconds(done.max() ?? 0)
            }
            report.add("converge_s_per_node", perNode.map { String(format: "%.3f", $0) }.joined(separator: " "))
            if report.ok, let lastGrant = figures.map(\.0).max(), let lastDone = figures.map(\.1).max() {
                report.add("converge_after_last_grant_s", Double(lastDone - lastGrant) / 1e9, "s")
            }
        }
        let frames = figures.map(\.2)
        let bytes = figures.map(\.3)
        report.add("frames_per_member_mean", Double(frames.reduce(0, +)) / Double(max(1, n)))
        report.add("frames_per_member_max", frames.max() ?? 0)
        report.add("bytes_per_member_mean", Double(bytes.reduce(0, +)) / Double(max(1, n)))
        report.add("bytes_per_member_max", bytes.max() ?? 0)
        return report
    }
}
