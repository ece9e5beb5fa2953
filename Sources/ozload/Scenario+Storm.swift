import ArgumentParser
import NIOCore

/// `ozload storm`: N clients join one room at once; measures the time until every member's roster is complete,
/// and the frames and bytes each member received on the way.
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
        let figures = (try? await context.collect(clients) { ($0.grantedAt, $0.completedAt, $0.frames, $0.bytes) }) ?? []
        await context.closeAll(clients)

        report.ok = converged && tally.complete.value >= n
        report.add("clients", n)
        report.add("granted", tally.granted.value)
        report.add("converged_members", tally.complete.value)
        report.add("failed_or_denied", tally.failed.value + tally.denied.value)
        let seconds = { (t: UInt64) in t == 0 ? Double.nan : Double(t - start) / 1e9 }
        report.add("all_granted_s", seconds(figures.map(\.0).contains(0) ? 0 : figures.map(\.0).max() ?? 0), "s")
        report.add("converge_s", seconds(report.ok ? figures.map(\.1).max() ?? 0 : 0), "s")
        let frames = figures.map(\.2)
        let bytes = figures.map(\.3)
        report.add("frames_per_member_mean", Double(frames.reduce(0, +)) / Double(max(1, n)))
        report.add("frames_per_member_max", frames.max() ?? 0)
        report.add("bytes_per_member_mean", Double(bytes.reduce(0, +)) / Double(max(1, n)))
        report.add("bytes_per_member_max", bytes.max() ?? 0)
        return report
    }
}
