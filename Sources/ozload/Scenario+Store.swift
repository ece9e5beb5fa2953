import ArgumentParser
import NIOCore
import OzProtocol
import Synchronization

/// `ozload store`: a small room where every member sends flat out (a window of unanswered messages each), for the
/// rate at which the gateway accepts and stores room messages; then joins asking for `history`, for what an answer of
/// that size costs at join. Run it against a gateway with a store (`--gateway-store sqlite`).
struct Store: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every member of a room sends flat out: messages accepted (and stored) per second; then joins with history.")

    @OptionGroup var gateway: GatewayOptions
    @Option(help: "Room size; every member sends.") var clients = 10
    @Option(help: "Messages each sender keeps unanswered (sent, echo not yet back).") var window = 16
    @Option(help: "Seconds of sending.") var duration = 10.0
    @Option(help: "Joins after the sending, each asking for this many messages of history (0: skip).") var history = 200
    @Option(help: "How many joins with history (one at a time), and as many without, for comparison.") var joins = 100

    func run() async throws {
        try await gateway.run { context, token in await measure(context, token: token) }
    }

    func measure(_ context: LoadContext, token: String) async -> Report {
        let tally = context.tally
        var report = Report(scenario: "store")
        let members = (0..<clients).map { context.connect(index: $0, token: token, tracking: .minimal) }
        guard await context.wait(upTo: 60, step: 0.01, until: { tally.granted.value >= clients }) else {
            report.ok = false
            report.add("error", "only \(tally.granted.value) of \(clients) members were granted within 60 s")
            await context.closeAll(members)
            return report
        }
        let running = Atomic<Bool>(true)
        let fromKeys = members.map { Array(#""from":"\#($0.phoneNumber ?? "")""#.utf8) }
        for (member, fromKey) in zip(members, fromKeys) {
            member.eventLoop.execute {
                member.onMessage = { client, buffer in
                    // Our own echo: one more accepted; send the next while the run lasts.
                    guard FrameScan.count(fromKey, in: buffer) > 0 else { return }
                    tally.sent.bump()
                    if running.load(ordering: .relaxed) { client.say("s") }
                }
                for _ in 0..<window { member.say("s") }
            }
        }
        let cpu = context.cpuSeconds()
        let warm = min(1.0, duration / 4)
        try? await Task.sleep(for: .seconds(warm))
        let from = (tally.sent.value, NIODeadline.now().uptimeNanoseconds)
        try? await Task.sleep(for: .seconds(duration - warm))
        let to = (tally.sent.value, NIODeadline.now().uptimeNanoseconds)
        running.store(false, ordering: .relaxed)
        try? await Task.sleep(for: .seconds(1))  // the last echoes in flight
        let used = context.addCPU(since: cpu, to: &report)
        let accepted = tally.sent.value
        let perSecond = Double(to.0 - from.0) / (Double(to.1 - from.1) / 1e9)
        report.add("clients", clients)
        report.add("window", window)
        report.add("messages_accepted", accepted)
        report.add("messages_per_s", perSecond, "msg/s")
        if let gatewayCPU = used.gateway, accepted > 0 { report.add("gateway_cpu_us_per_message", gatewayCPU * 1e6 / Double(accepted), "µs") }
        report.add("members_closed_during_run", tally.closed.value)
        report.ok = tally.closed.value == 0
        await context.closeAll(members)

        if history > 0, joins > 0 {
            let with = await joinTimes(context, token: token, recall: .newest(history))
            let without = await joinTimes(context, token: token, recall: .none)
            report.add("history_on_join", history)
            report.add("join_with_history_p50_ms", with.percentile(50), "ms")
            report.add("join_with_history_p99_ms", with.percentile(99), "ms")
            report.add("join_without_history_p50_ms", without.percentile(50), "ms")
            report.add("join_without_history_p99_ms", without.percentile(99), "ms")
            report.add("history_cost_p50_ms", with.percentile(50) - without.percentile(50), "ms")
        }
        return report
    }

    /// Joins `joins` times, one at a time: milliseconds from the connection opening to the grant (and, with a recall,
    /// to the history frame), sorted.
    private func joinTimes(_ context: LoadContext, token: String, recall: HistoryRecall) async -> [Double] {
        var times: [Double] = []
        for i in 0..<joins {
            let started = NIODeadline.now().uptimeNanoseconds
            let client = context.connect(index: 10_000 + i, token: token, tracking: .minimal, recall: recall)
            let waitsForHistory: Bool
            if case .newest = recall { waitsForHistory = true } else { waitsForHistory = false }
            var done: UInt64 = 0
            for _ in 0..<5_000 {
                let at = try? await client.eventLoop.submit { waitsForHistory ? client.historyAt : client.grantedAt }.get()
                if let at, at > 0 {
                    done = at
                    break
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
            if done > 0 { times.append(Double(done - started) / 1e6) }
            await context.closeAll([client])
        }
        return times.sorted()
    }
}

extension [Double] {
    /// The value at `percent` of a sorted array (nearest rank); 0 when empty.
    func percentile(_ percent: Double) -> Double {
        guard !isEmpty else { return 0 }
        return self[Swift.min(count - 1, Swift.max(0, Int((percent / 100 * Double(count)).rounded(.up)) - 1))]
    }
}
