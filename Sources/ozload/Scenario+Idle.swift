import ArgumentParser
import Foundation

/// `ozload idle`: holds N connections and reports the gateway's resident memory per connection (VmRSS before and after;
/// of all the spawned nodes together for a cluster).
struct Idle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hold N idle connections; gateway RSS per connection.")

    @OptionGroup var gateway: GatewayOptions
    @Option(help: "Number of connections.") var clients = 10_000
    @Option(help: "Members per room when spawning a gateway (one line per room); 0 puts everyone in one room.")
    var roomSize = 100
    @Option(help: "PID of an external gateway to measure (with --url).") var gatewayPid: Int32?
    @Option(help: "Seconds to hold the connections before measuring.") var hold = 3.0
    @Option(help: "Connections opened per batch.") var batch = 1000

    func run() async throws {
        let rooms = roomSize > 0 ? (clients + roomSize - 1) / roomSize : 1
        let (context, tokens, processes) = try gateway.open(lines: rooms)
        let pids = processes.isEmpty ? gatewayPid.map { [$0] } ?? [] : processes.map(\.pid)
        guard !pids.isEmpty else {
            throw ValidationError("idle needs --spawn-gateway or --gateway-pid to read the gateway's memory")
        }
        let resident = { (field: String) in pids.reduce(0) { $0 + (procStatusKiB(pid: $1, field: field) ?? 0) } }
        try? await Task.sleep(for: .seconds(0.5))
        let before = resident("VmRSS")
        let selfBefore = procStatusKiB(pid: getpid(), field: "VmRSS") ?? 0
        let start = ContinuousClock.now
        let held = await context.connectInBatches(0..<clients, tokens: tokens, tracking: .minimal, batch: batch)
        let connectTime = ContinuousClock.now - start
        try? await Task.sleep(for: .seconds(hold))
        let after = resident("VmRSS")
        let peak = resident("VmHWM")
        let selfAfter = procStatusKiB(pid: getpid(), field: "VmRSS") ?? 0
        let tally = context.tally
        let granted = tally.granted.value
        let dropped = tally.closed.value
        await context.closeAll(held)
        GatewayProcess.stop(processes)
        await context.shutdown()

        var report = Report(scenario: "idle")
        report.ok = granted == clients && dropped == 0
        report.add("clients", clients)
        report.add("rooms", rooms)
        report.add("granted", granted)
        report.add("dropped_while_held", dropped)
        report.add("connect_all_s", Double(connectTime.components.seconds) + Double(connectTime.components.attoseconds) / 1e18, "s")
        report.add("gateway_rss_before_kib", before)
        report.add("gateway_rss_after_kib", after)
        report.add("gateway_rss_peak_kib", peak)
        report.add("gateway_rss_per_conn_kib", Double(after - before) / Double(max(1, granted)), "KiB")
        report.add("ozload_rss_per_conn_kib", Double(selfAfter - selfBefore) / Double(max(1, granted)), "KiB")
        report.add("nodes", context.ports.count)
        report.print(json: gateway.json)
        if !report.ok { throw ExitCode(1) }
    }
}
