import ArgumentParser
import Foundation
import OzProtocol

/// `ozload`: many simulated clients over real WebSockets, for tests and benchmarks.
@main
struct OzLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ozload", abstract: "Simulated ozchat clients against an ozgate (loopback only).",
        subcommands: [Storm.self, Fanout.self, Idle.self, Churn.self, Population.self, Store.self])

    /// Makes writes to a closed standard stream errors, not deaths (`DescriptorWriter.prepareStandardStreams`), first.
    static func main() async {
        DescriptorWriter.prepareStandardStreams()
        await main(nil)
    }
}

/// Where the gateway is and how to reach it: either `--url`/`--token`, or `--spawn-gateway PATH` to start a private one.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Gateway URL; must be ws://127.0.0.1:PORT/ (loopback only).") var url: String?
    @Option(help: "Line token for the simulated clients.") var token: String?
    @Option(help: "Start this ozgate executable with a generated config on a free port, and stop it at the end.")
    var spawnGateway: String?
    @Option(help: "Ping interval for a spawned gateway, in seconds.") var pingInterval = 20.0
    @Option(help: "Ping timeout for a spawned gateway, in seconds.") var pingTimeout = 60.0
    @Option(help: "Run a spawned gateway on these CPUs only (a taskset list, e.g. 0 or 0-1); ozload's own are set by its caller.")
    var gatewayCpus: String?
    @Option(help: "History of a spawned gateway: off, memory, or sqlite (a file in its temporary folder).") var gatewayStore = "off"
    @Flag(help: "Print one JSON object instead of the human summary.") var json = false

    func validate() throws {
        if spawnGateway == nil {
            guard let url, token != nil else { throw ValidationError("give --url and --token, or --spawn-gateway PATH") }
            guard parsePort(url) != nil else { throw ValidationError("--url must be ws://127.0.0.1:PORT/ (loopback only)") }
        }
    }

    private func parsePort(_ url: String) -> Int? {
        for prefix in ["ws://127.0.0.1:", "ws://localhost:"] where url.hasPrefix(prefix) {
            let digits = url.dropFirst(prefix.count).prefix { $0.isNumber }
            return Int(digits)
        }
        return nil
    }

    /// Connects to the gateway (starting one if asked) and returns the context, tokens and the spawned process.
    /// Opens the gateway, runs `measure` with the first line's token, stops everything, prints the report, and exits
    /// with status 1 when one of its checks failed: the life of every one-shot scenario.
    func run(_ measure: (LoadContext, String) async -> Report) async throws {
        let (context, tokens, process) = try open()
        let report = await measure(context, tokens[0])
        process?.stop()
        await context.shutdown()
        report.print(json: json)
        if !report.ok { throw ExitCode(1) }
    }

    func open(lines: Int = 1) throws -> (LoadContext, [String], GatewayProcess?) {
        raiseFileLimit()
        if let spawnGateway {
            let gateway = try GatewayProcess(
                executable: spawnGateway, lines: lines, pingInterval: pingInterval, pingTimeout: pingTimeout, cpus: gatewayCpus,
                store: gatewayStore)
            note("spawned ozgate pid \(gateway.pid) on ws://127.0.0.1:\(gateway.port)/")
            return (LoadContext(port: gateway.port, gatewayPid: gateway.pid), gateway.tokens, gateway)
        }
        return (LoadContext(port: parsePort(url!)!), [token!], nil)
    }
}
