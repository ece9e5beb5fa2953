import ArgumentParser
import NIOCore

/// `ozload fanout`: a room of N where M members send at a set rate; measures deliveries per second and the delivery
/// latency (send to receipt, from a timestamp in the text) at p50/p99/p99.9.
struct Fanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A room of N, M senders at a set rate; deliveries/s and latency.")

    @OptionGroup var gateway: GatewayOptions
    @Option(help: "Room size.") var clients = 1000
    @Option(help: "Number of members that send.") var senders = 10
    @Option(help: "Messages per second per sender.") var rate = 20.0
    @Option(help: "Seconds of sending.") var duration = 10.0
    @Option(help: "Seconds to wait for the last deliveries after sending stops.") var drain = 15.0

    func run() async throws {
        try await gateway.run { context, token in await measure(context, token: token) }
    }

    func measure(_ context: LoadContext, token: String) async -> Report {
        let tally = context.tally
        let n = clients
        var report = Report(scenario: "fanout")
        let members = (0..<n).map { context.connect(index: $0, token: token, tracking: .counts, rosterTarget: n - 1) }
        let joined = await context.wait(upTo: 60, step: 0.01) { tally.complete.value >= n }
        report.add("clients", n)
        report.add("senders", senders)
        report.add("offered_msgs_per_s", Double(senders) * rate, "msg/s")
        report.add("offered_deliveries_per_s", Double(senders) * rate * Double(n), "/s")
        guard joined else {
            report.ok = false
            report.add("error", "only \(tally.complete.value) of \(n) members converged within 60 s")
            await context.closeAll(members)
            return report
        }

        let cpu = context.cpuSeconds()
        let start = NIODeadline.now().uptimeNanoseconds
        // Each sender's messages are due on a fixed schedule (`rate` a second, the senders 0.5 ms apart), and carry the
        // time they were due: a sender that falls behind adds its lateness to the latency (no coordinated omission).
        let interval = UInt64(1e9 / rate)
        let perSender = Int(duration * rate)
        var schedules: [SendSchedule] = []
        for (i, sender) in members.prefix(senders).enumerated() {
            let first = start + 5_000_000 * UInt64(i) / UInt64(max(1, senders))
            let schedule = SendSchedule(sender: sender, index: i, first: first, interval: interval, count: perSender, tally: tally)
            schedules.append(schedule)
            sender.eventLoop.execute { schedule.sendNext() }
        }
        // The steady rate: deliveries counted between 1 s after the start and the end of sending.
        let warm = min(1.0, duration / 4)
        try? await Task.sleep(for: .seconds(warm))
        let steadyFrom = (tally.deliveries.value, NIODeadline.now().uptimeNanoseconds)
        try? await Task.sleep(for: .seconds(duration - warm))
        let steadyTo = (tally.deliveries.value, NIODeadline.now().uptimeNanoseconds)
        // Senders stop by themselves after their last message; count what they sent once the last has stopped (a
        // sender that fell behind is still catching up).
        _ = await context.wait(upTo: drain, step: 0.01) { tally.sent.value >= senders * perSender }
        let sent = tally.sent.value
        let expected = sent * n
        let drained = await context.wait(upTo: drain, step: 0.01) { tally.deliveries.value >= expected }
        let delivered = tally.deliveries.value
        var latency = LatencyHistogram()
        var last: UInt64 = start
        for (loop, stats) in zip(context.loops, context.stats) {
            if let (h, l) = try? await loop.submit({ (stats.latency, stats.lastDelivery) }).get() {
                latency.add(h)
                last = max(last, l)
            }
        }
        var lag = LatencyHistogram()
        for schedule in schedules {
            if let h = try? await schedule.sender.eventLoop.submit({ schedule.lag }).get() { lag.add(h) }
        }
        let used = context.addCPU(since: cpu, to: &report)
        let closedEarly = tally.closed.value
        await context.closeAll(members)

        let seconds = Double(last - start) / 1e9
        report.ok = drained && closedEarly == 0
        report.add("messages_sent", sent)
        report.add("deliveries", delivered)
        report.add("deliveries_missing", expected - delivered)
        report.add("members_closed_during_run", closedEarly)
        report.add("send_to_last_delivery_s", seconds, "s")
        report.add("deliveries_per_s", Double(delivered) / seconds, "/s")
        let steadySeconds = Double(steadyTo.1 - steadyFrom.1) / 1e9
        report.add("steady_deliveries_per_s", Double(steadyTo.0 - steadyFrom.0) / steadySeconds, "/s")
        report.addLatency("latency", latency)
        // What a delivery costs in CPU time (user + system, over the whole measured window): steadier than the rates
        // and latencies when other work shares the cores.
        if delivered > 0 {
            if let gateway = used.gateway { report.add("gateway_cpu_us_per_delivery", gateway * 1e6 / Double(delivered), "µs") }
            report.add("ozload_cpu_us_per_delivery", used.ozload * 1e6 / Double(delivered), "µs")
        }
        // How late ozload's own senders were against their schedule (included in the latency above).
        report.add("send_lag_p99_ms", Double(lag.value(atPercentile: 99)) / 1e6, "ms")
        report.add("send_lag_max_ms", Double(lag.maxRecorded) / 1e6, "ms")
        return report
    }
}

/// One sender's messages, each sent by a timer at the time it is due (or at once if that has passed) and stamped with
/// that due time. Confined to the sender's event loop.
final class SendSchedule: @unchecked Sendable {
    let sender: SimClient
    private let index: Int
    private let first: UInt64
    private let interval: UInt64
    private let count: Int
    private let tally: Tally
    private var sent = 0
    /// How late each message went out against its due time (nanoseconds).
    private(set) var lag = LatencyHistogram()

    init(sender: SimClient, index: Int, first: UInt64, interval: UInt64, count: Int, tally: Tally) {
        self.sender = sender
        self.index = index
        self.first = first
        self.interval = interval
        self.count = count
        self.tally = tally
    }

    /// Sets the timer for the next message (loop only).
    func sendNext() {
        guard sent < count else { return }
        let due = first + UInt64(sent) * interval
        sender.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(due)) { [self] in
            lag.record(Int64(NIODeadline.now().uptimeNanoseconds) - Int64(due))
            sender.say("t=\(due) fanout s=\(index) n=\(sent)")
            sent += 1
            tally.sent.bump()
            sendNext()
        }
    }
}
