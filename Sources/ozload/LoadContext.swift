import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import OzProtocol
import Synchronization

/// Run-wide counters, updated from every event loop.
final class Tally: Sendable {
    let granted = Atomic<Int>(0)
    let denied = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let complete = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
    let deliveries = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
}

extension Atomic where Value == Int {
    /// The current value (relaxed: these are statistics, read by polling).
    var value: Int { load(ordering: .relaxed) }
    func bump(_ amount: Int = 1) { add(amount, ordering: .relaxed) }
}

/// A counter confined to one event loop, for repeated tasks.
final class LoopCounter: @unchecked Sendable {
    var count = 0
}

/// Everything a scenario needs: the event loops, the gateways' ports (one, or a cluster's nodes: client i talks to
/// node i mod N), and the shared tallies.
final class LoadContext: Sendable {
    let group: MultiThreadedEventLoopGroup
    let loops: [any EventLoop]
    let stats: [LoopStats]
    let host: String
    /// The nodes' ports; client i connects to `ports[i % ports.count]`.
    let ports: [Int]
    /// Whether the nodes form a cluster (its message ids also count presence events: not consecutive).
    let cluster: Bool
    let tally = Tally()
    /// The monotonic origin of all timestamps (nanoseconds, `NIODeadline.uptimeNanoseconds`).
    let origin: UInt64

    /// The gateways' process ids when ozload started them (for CPU and memory figures).
    let gatewayPids: [Int32]

    init(ports: [Int], gatewayPids: [Int32] = [], cluster: Bool = false) {
        precondition(!ports.isEmpty)
        self.gatewayPids = gatewayPids
        self.cluster = cluster
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        loops = Array(group.makeIterator())
        stats = loops.map { _ in LoopStats() }
        host = "127.0.0.1"
        self.ports = ports
        origin = NIODeadline.now().uptimeNanoseconds
    }

    /// Seconds since the origin.
    func elapsed(_ instant: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Double {
        Double(Int64(instant) - Int64(origin)) / 1e9
    }

    /// The node client `index` talks to.
    func node(of index: Int) -> Int { index % ports.count }

    /// Opens one client's WebSocket (to node `index` mod N) and sends its `connect`; the client reports the rest
    /// through its fields.
    /// Failures (refused, bad handshake) are counted in `tally.failed`.
    func connect(index: Int, token: String, tracking: Tracking, rosterTarget: Int? = nil, recall: HistoryRecall = .none) -> SimClient {
        let loopIndex = index % loops.count
        let client = SimClient(index: index, eventLoop: loops[loopIndex], stats: stats[loopIndex], tally: tally, tracking: tracking)
        client.rosterTarget = rosterTarget
        let connectFrame = ClientFrame.connect(token: token, properties: ["Nickname": .string("p\(index)")], recall: recall).encoded
        let host = host
        let port = ports[node(of: index)]
        let upgraded = ClientBootstrap(group: client.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: WireLimits.maxServerMessageBytes, automaticErrorHandling: true) {
                    channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(client: client, connectFrame: connectFrame))
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let config: NIOHTTPClientUpgradeConfiguration = (upgraders: [upgrader], completionHandler: { _ in })
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(withClientUpgrade: config)
                    try channel.pipeline.syncOperations.addHandler(UpgradeRequestHandler(host: "\(host):\(port)"))
                }
            }
            .connect(host: host, port: port)
        upgraded.whenFailure { _ in client.tally.failed.bump() }
        return client
    }

    /// Runs `body` on each client's loop and collects the results.
    func collect<T: Sendable>(_ clients: [SimClient], _ body: @escaping @Sendable (SimClient) -> T) async throws -> [T] {
        var results: [T] = []
        results.reserveCapacity(clients.count)
        for client in clients { results.append(try await client.eventLoop.submit { body(client) }.get()) }
        return results
    }

    /// Waits until `done()` holds or the deadline passes; returns whether it held. Polls every `step` seconds.
    func wait(upTo seconds: Double, step: Double = 0.002, until done: () -> Bool) async -> Bool {
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            if done() { return true }
            try? await Task.sleep(for: .seconds(step))
        }
        return done()
    }

    /// CPU seconds (user + system) used so far by the gateways, all nodes together (nil if not spawned), and by
    /// ozload itself.
    func cpuSeconds() -> (gateway: Double?, ozload: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let own = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        let nodes = gatewayPids.compactMap(processCPUSeconds)
        return (nodes.isEmpty || nodes.count < gatewayPids.count ? nil : nodes.reduce(0, +), own)
    }

    /// Adds `gateway_cpu_s` and `ozload_cpu_s` since `since` to a report, and returns them.
    @discardableResult
    func addCPU(since: (gateway: Double?, ozload: Double), to report: inout Report) -> (gateway: Double?, ozload: Double) {
        let now = cpuSeconds()
        var gateway: Double?
        if let g0 = since.gateway, let g1 = now.gateway { gateway = g1 - g0 }
        if let gateway { report.add("gateway_cpu_s", gateway, "s") }
        report.add("ozload_cpu_s", now.ozload - since.ozload, "s")
        return (gateway, now.ozload - since.ozload)
    }

    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}

/// Sends the HTTP GET that the upgrade handler turns into a WebSocket upgrade request.
final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String

    init(host: String) { self.host = host }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
        // Its job is done; the upgrade handler takes the response, and WebSocket frames must not reach this handler.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// Raises the open-file limit to the hard limit (10,000+ sockets need it); returns the new soft limit.
@discardableResult
func raiseFileLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

extension LoadContext {
    /// Connects clients `indices` in batches, waiting after each batch until all of it is granted, denied or failed
    /// (at most `timeout` seconds per batch); `tokens` are used round-robin (one room per token).
    func connectInBatches(
        _ indices: Range<Int>, tokens: [String], tracking: Tracking, batch: Int, timeout: Double = 60
    ) async -> [SimClient] {
        var clients: [SimClient] = []
        clients.reserveCapacity(indices.count)
        var start = indices.lowerBound
        while start < indices.upperBound {
            let end = min(start + batch, indices.upperBound)
            let before = settledCount()
            for i in start..<end { clients.append(connect(index: i, token: tokens[i % tokens.count], tracking: tracking)) }
            _ = await wait(upTo: timeout, step: 0.005) { settledCount() - before >= end - start }
            start = end
        }
        return clients
    }

    /// Clients that have been granted, denied or failed to connect so far.
    func settledCount() -> Int {
        tally.granted.value + tally.denied.value + tally.failed.value
    }

    /// Closes every client's socket and waits (up to 10 s) until all are closed.
    func closeAll(_ clients: [SimClient]) async {
        for client in clients { client.eventLoop.execute { client.channel?.close(promise: nil) } }
        _ = await wait(upTo: 10, step: 0.01) {
            tally.closed.value + tally.failed.value >= clients.count
        }
    }
}
