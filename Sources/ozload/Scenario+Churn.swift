import ArgumentParser
import NIOCore

/// `ozload churn`: members join and leave continuously while some chat; at the end every member's roster must match
/// the gateway's (a fresh observer's snapshot, one per node) and no accepted message may be missing from any member's
/// stream, nor come in another order. Over a cluster's nodes the members are spread round-robin, so this checks that
/// every node shows the same room (see `ChurnCheck`).
struct Churn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Joins and leaves while chatting; checks rosters and delivery.")

    @OptionGroup var gateway: GatewayOptions
    @Option(help: "Members at any time.") var clients = 200
    @Option(help: "Seconds of churn.") var duration = 20.0
    @Option(help: "Leaves per second (each followed by a join).") var churnRate = 20.0
    @Option(help: "Room messages per second, from random members.") var messageRate = 100.0

    func run() async throws {
        try await gateway.run { context, token in await measure(context, token: token) }
    }

    func measure(_ context: LoadContext, token: String) async -> Report {
        var everyone = await context.connectInBatches(0..<clients, tokens: [token], tracking: .exact, batch: 500)
        var online = everyone
        try? await Task.sleep(for: .seconds(0.5))
        var generator = SystemRandomNumberGenerator()
        let start = ContinuousClock.now
        var leaves = 0
        var said = 0
        while true {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds >= duration { break }
            while Double(leaves) < seconds * churnRate, !online.isEmpty {
                let leaver = online.remove(at: Int.random(in: 0..<online.count, using: &generator))
                let graceful = Bool.random(using: &generator)
                leaver.eventLoop.execute { leaver.leave(graceful: graceful) }
                let joiner = context.connect(index: everyone.count, token: token, tracking: .exact)
                everyone.append(joiner)
                online.append(joiner)
                leaves += 1
            }
            while Double(said) < seconds * messageRate, let speaker = online.randomElement(using: &generator) {
                let n = said
                speaker.eventLoop.execute { if speaker.phoneNumber != nil { speaker.say("t=\(NIODeadline.now().uptimeNanoseconds) churn \(n)") } }
                said += 1
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        // Quiesce: every joiner granted, every leaver gone, then a fresh observer on each node reads its roster.
        let settled = await context.wait(upTo: 20, step: 0.01) {
            context.settledCount() >= everyone.count && context.tally.closed.value >= leaves
        }
        try? await Task.sleep(for: .seconds(1))
        let nodes = context.ports.count
        let observers = (0..<nodes).map { context.connect(index: everyone.count + $0, token: token, tracking: .exact) }
        _ = await context.wait(upTo: 10, step: 0.01) { context.settledCount() >= everyone.count + nodes }
        try? await Task.sleep(for: .seconds(1))

        let states = (try? await context.collect(everyone + observers) { ChurnState($0) }) ?? []
        await context.closeAll(everyone + observers)
        var check = ChurnCheck(states: states, observers: nodes, initial: clients, dense: !context.cluster)
        check.run()

        var report = Report(scenario: "churn")
        report.ok = settled && check.problems.isEmpty
        report.add("members", clients)
        report.add("duration_s", duration, "s")
        report.add("leaves", leaves)
        report.add("joins", leaves)
        report.add("messages_asked", said)
        report.add("messages_accepted", check.accepted)
        report.add("members_at_end", check.checkedRosters)
        report.add("roster_mismatches", check.rosterMismatches)
        report.add("messages_lost", check.lost)
        report.add("leaver_gaps", check.leaverGaps)
        report.add("order_violations", check.orderViolations)
        report.add("message_id_conflicts", check.idConflicts)
        report.add("protocol_anomalies", check.anomalies)
        report.add("first_problems", check.problems.prefix(5).joined(separator: "; "))
        return report
    }
}
