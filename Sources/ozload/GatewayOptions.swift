import ArgumentParser
import Foundation

/// Where the gateway is and how to reach it: either `--url` (repeatable: the nodes of a cluster) and `--token`, or
/// `--spawn-gateway PATH` to start a private one, or with `--spawn-nodes N --cluster URL` N nodes of a cluster.
/// Clients are spread round-robin over the nodes: client i talks to node i mod N.
struct GatewayOptions: ParsableArguments {
    @Option(help: "Gateway URL, ws://127.0.0.1:PORT/ (loopback only); repeat it for the nodes of a cluster (clients round-robin).")
    var url: [String] = []
    @Option(help: "Line token for the simulated clients.") var token: String?
    @Option(help: "Start this ozgate executable with a generated config on a free port, and stop it at the end.")
    var spawnGateway: String?
    @Option(help: "How many spawned gateways (more than 1 needs --cluster: the nodes of one cluster).") var spawnNodes = 1
    @Option(help: "Spawn the gateways as nodes of the cluster on this PostgreSQL: postgres://USER@HOST:PORT/DB.")
    var cluster: String?
    @Option(help: "Ping interval for a spawned gateway, in seconds.") var pingInterval = 20.0
    @Option(help: "Ping timeout for a spawned gateway, in seconds.") var pingTimeout = 60.0
    @Option(help: "Run a spawned gateway on these CPUs only (a taskset list, e.g. 0 or 0-1); ozload's own are set by its caller.")
    var gatewayCpus: String?
    @Option(help: "History of a spawned gateway: off, memory, or sqlite (a file in its temporary folder); a cluster keeps it in PostgreSQL.")
    var gatewayStore = "off"
    @Flag(help: "Print one JSON object instead of the human summary.") var json = false

    func validate() throws {
        if spawnGateway == nil {
            guard !url.isEmpty, token != nil else { throw ValidationError("give --url and --token, or --spawn-gateway PATH") }
            for url in url where Self.parsePort(url) == nil {
                throw ValidationError("--url must be ws://127.0.0.1:PORT/ (loopback only), not \(url)")
            }
            guard cluster == nil, spawnNodes == 1 else { throw ValidationError("--cluster and --spawn-nodes go with --spawn-gateway") }
        } else {
            guard url.isEmpty else { throw ValidationError("give --url or --spawn-gateway, not both") }
            guard spawnNodes >= 1 else { throw ValidationError("--spawn-nodes must be at least 1") }
            guard spawnNodes == 1 || cluster != nil else { throw ValidationError("--spawn-nodes above 1 needs --cluster URL") }
            guard cluster == nil || gatewayStore == "off" else {
                throw ValidationError("a cluster keeps its history in PostgreSQL: --gateway-store goes without --cluster")
            }
        }
    }

    /// Whether the gateways are the nodes of a cluster (several URLs, or spawned with `--cluster`): their message ids
    /// then also count the room's presence events, so they are not consecutive.
    var isCluster: Bool { cluster != nil || url.count > 1 }

    private static func parsePort(_ url: String) -> Int? {
        for prefix in ["ws://127.0.0.1:", "ws://localhost:"] where url.hasPrefix(prefix) {
            let digits = url.dropFirst(prefix.count).prefix { $0.isNumber }
            return Int(digits)
        }
        return nil
    }

    /// Opens the gateway, runs `measure` with the first line's token, stops everything, prints the report, and exits
    /// with status 1 when one of its checks failed: the life of every one-shot scenario.
    func run(_ measure: (LoadContext, String) async -> Report) async throws {
        let (context, tokens, processes) = try open()
        var report = await measure(context, tokens[0])
        GatewayProcess.stop(processes)
        await context.shutdown()
        report.add("nodes", context.ports.count)
        report.print(json: json)
        if !report.ok { throw ExitCode(1) }
    }

    /// Connects to the gateways (starting them if asked, one after the other) and returns the context, the tokens and
    /// the spawned processes (none for `--url`).
    func open(lines: Int = 1) throws -> (LoadContext, [String], [GatewayProcess]) {
        raiseFileLimit()
        guard let spawnGateway else {
            return (LoadContext(ports: url.map { Self.parsePort($0)! }, cluster: isCluster), [token!], [])
        }
        var nodes: [GatewayProcess] = []
        do {
            for index in 0..<spawnNodes {
                let node = try GatewayProcess(
                    executable: spawnGateway, lines: lines, pingInterval: pingInterval, pingTimeout: pingTimeout, cpus: gatewayCpus,
                    store: gatewayStore, cluster: cluster.map { ($0, "ozload-\(index)") })
                note("spawned ozgate pid \(node.pid) on ws://127.0.0.1:\(node.port)/" + (cluster == nil ? "" : " (cluster node ozload-\(index))"))
                nodes.append(node)
            }
        } catch {
            GatewayProcess.stop(nodes)
            throw error
        }
        let context = LoadContext(ports: nodes.map(\.port), gatewayPids: nodes.map(\.pid), cluster: isCluster)
        return (context, nodes[0].tokens, nodes)
    }
}
