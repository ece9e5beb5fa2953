import ArgumentParser
import Foundation
import Logging
import NIOCore
import OzCluster
import OzGateway
import OzGatewayLifetime
import OzProtocol
import Prometheus
import ServiceLifecycle

/// `ozgate [serve]`: runs the gateway until SIGINT or SIGTERM, then shuts down gracefully and exits 0 (a
/// `ServiceGroup`, see `GatewayLifetime`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway (the default command).",
        discussion: """
            With --config FILE, serves the lines and extensions in that TOML file. Without it, serves one line `lobby` \
            whose token is kept in the per-user file \(LocalGatewayFile.defaultPath()) (mode 0600), where a local ozchat finds it.
            With --tls-cert and --tls-key (PEM), serves wss:// on the port instead of ws://.
            Unless --web off, also serves OzWebClient.js and the web chatroom over http:// (https:// with TLS) on the same \
            port.
            Room messages are kept (OzWire v1.1 history) in --store: sqlite:PATH or memory. Without --store, the embedded \
            default keeps them in history.sqlite beside its token file; a --config file in its [history] table's store, \
            else in memory.
            Exit status: 0 after SIGINT/SIGTERM; 64 for a bad command line; 69 when it cannot listen; 78 for a bad config \
            file, a history store that cannot be opened (corrupt, unreadable or locked), or a TLS certificate or key that cannot be read, is not PEM, is encrypted, or do not match each other.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = WireLimits.defaultPort
    @Option(help: "TOML file of [[line]] and [[extension]] tables.") var config: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "Seconds between the gateway's pings.") var pingInterval = 20.0
    @Option(help: "Seconds of silence after which a connection is closed.") var pingTimeout = 60.0
    @Option(help: "Where the embedded default keeps its lobby token.") var tokenFile = LocalGatewayFile.defaultPath()
    @Flag(help: "Turn off the message-rate, connections-per-IP, connect-rate and room-size limits (load tests on loopback).")
    var noLimits = false
    @Option(help: "PEM certificate chain (leaf first) to serve wss:// instead of ws:// (needs --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key (unencrypted) for --tls-cert.") var tlsKey: String?
    @Option(help: "Where to keep room messages: sqlite:PATH or memory.") var store: String?
    @Option(help: "Run as a node of a cluster whose rooms are kept in this PostgreSQL: postgres://USER@HOST:PORT/DB.")
    var cluster: String?
    @Option(help: "This node's name in the cluster (default: host name and process id).") var nodeId: String?
    @Option(help: "Serve Prometheus metrics at /metrics and health at /healthz over HTTP on this port (0 picks a free one).")
    var metricsPort: Int?
    @Option(help: "Address for --metrics-port.") var metricsHost = "127.0.0.1"
    @Option(
        help: "Serve OzWebClient.js and the web chatroom at http(s)://HOST:PORT/: on or off (default: on; a config file's web = false turns it off).")
    var web: WebSwitch?
    @Option(help: "Serve the web files from this folder instead of the copy built in (while working on them; read on each request).")
    var webDir: String?

    func validate() throws {
        if cluster != nil, store != nil {
            throw ValidationError("--cluster keeps history in PostgreSQL: give --cluster or --store, not both")
        }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0–65535") }
        if web == .off, webDir != nil { throw ValidationError("--web-dir serves the web files, which --web off turns off: give one of them") }
        if let webDir {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: webDir, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--web-dir \(webDir): no such folder")
            }
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("give both --tls-cert and --tls-key (to serve wss://), or neither (to serve ws://)")
        }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level \"\(logLevel)\"; use trace, debug, info, notice, warning, error or critical")
        }
        guard (0...65535).contains(port) else { throw ValidationError("port must be 0–65535") }
        guard pingInterval > 0, pingTimeout > 0 else { throw ValidationError("ping interval and timeout must be positive") }
        LoggingSystem.bootstrap { GatewayLogHandler(label: $0, level: level) }
        // What is still queued goes out before the process ends, unless standard error is stuck (then 2 s at most).
        defer { LogQueue.standardError.flush(timeout: .seconds(2)) }

        let directory: AccessDirectory
        var embeddedToken: String?
        var historySettings = HistorySettings(store: .sqlite(path: LocalGatewayFile.historyPath(besideTokenFile: tokenFile)))
        var limits = GatewayLimits.standard
        var handshakeTimeout = TimeAmount.seconds(10)
        var clusterURL = cluster
        var clusterNodeID = nodeId
        var webOn = web.map { $0 == .on } ?? true
        if let config {
            do {
                let file = try GatewayConfigFile.load(path: config)
                directory = try AccessDirectory(configFile: file, path: config)
                limits = file.limits
                historySettings = file.history
                if let seconds = file.handshakeTimeout { handshakeTimeout = .seconds(Int64(seconds)) }
                if web == nil, webDir == nil, let fileWeb = file.web { webOn = fileWeb }
                if let fileCluster = file.cluster {
                    if store != nil { throw ValidationError("\(config) has a [cluster]: --store cannot be given with it") }
                    clusterURL = clusterURL ?? fileCluster.url
                    clusterNodeID = clusterNodeID ?? fileCluster.nodeID
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                complain("ozgate: config error: \(error)")
                throw ExitCode(78)
            }
        } else {
            let token = (try? LocalGatewayFile.read(path: tokenFile))?.token ?? LocalGatewayFile.makeToken()
            embeddedToken = token
            directory = AccessDirectory(lines: [LineCredential(name: "lobby", tokenHash: .token(token))], extensions: [])
        }

        var tls: GatewayTLS?
        if let tlsCert, let tlsKey {
            do {
                tls = try GatewayTLS(certificateFile: tlsCert, keyFile: tlsKey)
            } catch {
                complain("ozgate: config error: \(error)")
                throw ExitCode(78)
            }
        }

        if let store {
            do {
                historySettings.store = try HistoryStoreLocation(store)
            } catch {
                throw ValidationError("--store: \(error)")
            }
        }
        let logger = Logger(label: "ozgate")
        let registry = metricsPort.map { _ in PrometheusCollectorRegistry() }
        let metrics = registry.map { GatewayMetrics(factory: Self.metricsFactory($0)) } ?? GatewayMetrics()
        var history: GatewayHistory?
        var clusterNode: ClusterNode?
        if let clusterURL {
            clusterNode = try await Self.joinCluster(
                url: clusterURL, nodeID: clusterNodeID ?? Self.defaultNodeID, lines: directory.lines.map(\.name),
                retention: historySettings.retention, metrics: metrics, logger: logger)
        } else {
            do {
                history = try HistoryStores.open(settings: historySettings, rooms: directory.lines.map(\.name), metrics: metrics, logger: logger)
            } catch {
                complain("ozgate: history store error: \(error)")
                throw ExitCode(78)
            }
        }

        if noLimits { limits = .unlimited }
        var gatewayConfiguration = GatewayConfiguration(
            host: host, port: port, directory: directory,
            pingInterval: .nanoseconds(Int64(pingInterval * 1e9)), pingTimeout: .nanoseconds(Int64(pingTimeout * 1e9)),
            handshakeTimeout: handshakeTimeout, limits: limits, tls: tls, history: history)
        gatewayConfiguration.roomProvider = clusterNode
        gatewayConfiguration.metrics = metrics
        if webOn { gatewayConfiguration.web = GatewayWeb(source: webDir.map { .directory($0) } ?? .builtIn) }
        let gateway = Gateway(configuration: gatewayConfiguration, logger: logger)
        let (host, tokenFile) = (host, tokenFile)
        let service = GatewayService(
            gateway: gateway,
            onListening: { [tls, embeddedToken, webOn] port in
                let hostText = host.contains(":") ? "[\(host)]" : host
                let url = "\(tls == nil ? "ws" : "wss")://\(hostText):\(port)/"
                let page = "\(tls == nil ? "http" : "https")://\(hostText):\(port)/"
                say("listening on \(url)")
                if webOn { say("web chatroom on \(page)") }
                if let tls {
                    logger.info("listening", metadata: ["url": "\(url)", "certificate_expires": "\(WireTimestamp.string(from: tls.notValidAfter))"])
                    if let warning = tls.validityWarning() { logger.warning("\(warning)") }
                } else {
                    logger.info("listening", metadata: ["url": "\(url)"])
                }
                if let embeddedToken {
                    do {
                        try LocalGatewayFile(server: url, token: embeddedToken).write(path: tokenFile)
                    } catch {
                        // Through the log, which never waits: the gateway is serving by now.
                        logger.warning("cannot write the token file", metadata: ["path": "\(tokenFile)", "error": "\(error)"])
                    }
                    say("lobby token: \(embeddedToken)")
                    if webOn {
                        // An invite link for a browser on this machine (the token is in the URL: share it like the token).
                        let query = embeddedToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? embeddedToken
                        say("web invite: \(page)?token=\(query)")
                    }
                }
            },
            onShuttingDown: { say("shutting down") })
        // Shut down in reverse: the gateway ends its sessions first, then the metrics stop, then the node leaves.
        var services: [any Service] = []
        if let clusterNode { services.append(ClosingService { await clusterNode.gatewayClosed() }) }
        if let registry, let metricsPort {
            let metricsHost = self.metricsHost
            services.append(
                MetricsService(
                    host: metricsHost, port: metricsPort, registry: registry, health: { gateway.health },
                    onListening: { port in
                        let hostText = metricsHost.contains(":") ? "[\(metricsHost)]" : metricsHost
                        say("metrics on http://\(hostText):\(port)/metrics")
                        logger.info("metrics", metadata: ["url": "http://\(hostText):\(port)/metrics"])
                    }))
        }
        services.append(service)
        do {
            try await GatewayLifetime.run(services, logger: logger)
        } catch let error as GatewayService.CannotListen {
            complain("ozgate: cannot listen on \(host):\(port): \(error.underlying)")
            throw ExitCode(69)
        } catch let error as MetricsService.CannotListen {
            complain("ozgate: cannot listen for metrics on \(metricsHost):\(metricsPort ?? 0): \(error.underlying)")
            throw ExitCode(69)
        }
    }
}

extension Serve {
    /// Prometheus through swift-metrics, with finer buckets for the store's writes and the cluster's lag than the
    /// default (5 ms–10 s): both are usually around a millisecond.
    static func metricsFactory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let fine: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        factory.durationHistogramBuckets = ["ozgate_store_write_seconds": fine, "ozgate_cluster_notify_lag_seconds": fine]
        return factory
    }

    /// `HOST-PID`: unique among the nodes running at once.
    static var defaultNodeID: String { "\(ProcessInfo.processInfo.hostName)-\(getpid())" }

    /// Connects to the cluster's PostgreSQL and registers this node. Exit 64 for a bad URL, 78 for a schema this build
    /// cannot use, 69 when PostgreSQL cannot be reached.
    static func joinCluster(
        url: String, nodeID: String, lines: [String], retention: HistoryRetention, metrics: GatewayMetrics, logger: Logger
    ) async throws -> ClusterNode {
        let location: ClusterLocation
        do {
            location = try ClusterLocation(url)
        } catch {
            throw ValidationError("--cluster: \(error)")
        }
        do {
            var settings = ClusterNode.Settings()
            settings.retention = retention
            let node = try await ClusterNode.start(
                location: location, nodeID: nodeID, lines: lines, settings: settings, metrics: metrics, logger: logger)
            say("cluster node \(nodeID) (incarnation \(node.incarnation)) on \(location)")
            return node
        } catch let failure as ClusterSchema.Failure {
            complain("ozgate: cluster error: \(failure)")
            throw ExitCode(78)
        } catch {
            complain("ozgate: cannot reach the cluster's PostgreSQL at \(location): \(String(reflecting: error))")
            throw ExitCode(69)
        }
    }
}

/// `--web on|off`.
enum WebSwitch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

/// Prints a line to standard output unbuffered, so a supervising process sees it at once. A standard output nobody
/// reads any more is no reason to stop serving: the line is lost.
func say(_ line: String) {
    try? DescriptorWriter.standardOutput.write(line + "\n")
}

/// Writes a line to standard error directly (not through the log's queue): for the lines written instead of serving.
func complain(_ line: String) {
    try? DescriptorWriter.standardError.write(line + "\n")
}
