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
        let tick: Int64 = 5_000_000
        let perSecond = rate
        let window = duration
        for (i, sender) in members.prefix(senders).enumerated() {
            let offset = tick * Int64(i) / Int64(max(1, senders))
            sender.eventLoop.execute {
                let sent = LoopCounter()
                sender.eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(offset), delay: .nanoseconds(tick)) { task in
                    let now = NIODeadline.now().uptimeNanoseconds
                    let elapsed = Double(now - start) / 1e9
                    let due = Int(min(elapsed, window) * perSecond) + 1
                    while sent.count < due {
                        sender.say("t=\(NIODeadline.now().uptimeNanoseconds) fanout s=\(i) n=\(sent.count)")
                        sent.count += 1
                        tally.sent.bump()
                    }
                    if elapsed >= window { task.cancel() }
                }
            }
        }
        // The steady rate: deliveries counted between 1 s after the start and the end of sending.
        let warm = min(1.0, duration / 4)
        try? await Task.sleep(for: .seconds(warm))
        let steadyFrom = (tally.deliveries.value, NIODeadline.now().uptimeNanoseconds)
        try? await Task.sleep(for: .seconds(duration - warm))
        let steadyTo = (tally.deliveries.value, NIODeadline.now().uptimeNanoseconds)
        try? await Task.sleep(for: .seconds(0.05))
        // Senders stop by themselves at the end of the window; count what they sent once the last has stopped.
        try? await Task.sleep(for: .seconds(0.1))
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
        context.addCPU(since: cpu, to: &report)
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
        return report
    }
}
