import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The ozgate server: binds a WebSocket endpoint (`wss://` when the configuration has `tls`), serves the configured
/// lines, and shuts down gracefully.
/// Used by the `ozgate` executable, by `ozchat`'s embedded gateway, and by the tests.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    private let group: MultiThreadedEventLoopGroup
    let core: GatewayCore
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)
    private let stopped = NIOLockedValueBox(false)

    public init(configuration: GatewayConfiguration, logger: Logger = Logger(label: "ozgate")) {
        self.configuration = configuration
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        self.core = GatewayCore(configuration: configuration, group: group, logger: logger)
    }

    /// The bound port (useful when the configuration asked for port 0).
    public var port: Int {
        serverChannel.withLockedValue { $0?.localAddress?.port } ?? configuration.port
    }

    /// Number of open WebSocket connections.
    public var connectionCount: Int { core.connectionCount }

    /// Whether the gateway can take logins now, and if not, why (`/healthz`).
    public var health: GatewayHealth {
        if stopped.withLockedValue({ $0 }) { return .unavailable("shutting down") }
        if serverChannel.withLockedValue({ $0 }) == nil { return .unavailable("not listening yet") }
        if let reason = configuration.roomProvider?.unavailableReason { return .unavailable(reason) }
        return .ready
    }

    /// Binds and starts accepting connections.
    public func start() async throws {
        let core = self.core
        let configuration = self.configuration
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.maxOutboundBytes / 2, high: configuration.maxOutboundBytes)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let peer = PeerAddress(channel.remoteAddress)
                    if let refusal = core.admission.admit(peer) {
                        configuration.metrics.connectionRefusals.increment()
                        if refusal.log {
                            let ip = channel.remoteAddress?.ipAddress ?? "?"
                            core.logger.notice(
                                "refuse",
                                metadata: [
                                    "ip": "\(ip)", "counted_as": "\(peer.key)", "reason": "\(refusal.reason)", "suppressed": "\(refusal.suppressed)",
                                ])
                        }
                        try channel.pipeline.syncOperations.addHandler(RefusalHandler(reason: refusal.reason))
                        return
                    }
                    channel.closeFuture.whenComplete { _ in core.admission.release(peer) }
                    try Self.configurePipeline(channel, core: core)
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        serverChannel.withLockedValue { $0 = channel }
    }

    private static func configurePipeline(_ channel: any Channel, core: GatewayCore) throws {
        let configuration = core.configuration
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxClientMessageBytes,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let id = core.makeConnectionID()
                    var logger = core.logger
                    logger[metadataKey: "ip"] = "\(channel.remoteAddress?.ipAddress ?? "?")"
                    // Just in front of the frame encoder: behind TLS, so pre-framed room frames are encrypted too.
                    let encoder = try channel.pipeline.syncOperations.handler(type: WebSocketFrameEncoder.self)
                    try channel.pipeline.syncOperations.addHandler(RawFrameWriter(), position: .before(encoder))
                    try channel.pipeline.syncOperations.addHandler(MessageAssembly.aggregator(maxMessageBytes: configuration.maxClientMessageBytes))
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(gateway: core, id: id, logger: logger))
                }
            }
        )
        try GatewayTransport.configure(channel, tls: configuration.tls, logger: core.logger)
        let sync = channel.pipeline.syncOperations
        try sync.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.removeHandler(name: HTTPRequestHandler.name, promise: nil)
                }
            )
        )
        let requests = HTTPRequestHandler(
            timeout: configuration.handshakeTimeout, secure: configuration.tls != nil, web: configuration.web, threadPool: core.threadPool,
            logger: core.logger)
        try sync.addHandler(requests, name: HTTPRequestHandler.name)
    }

    /// Ends every session with `CONNECTION_CLOSED` reason `shutdown`, waits for the sockets to close (bounded by the
    /// close grace period), then releases the threads. Safe to call more than once.
    public func shutdown() async {
        let first = stopped.withLockedValue { wasStopped in
            defer { wasStopped = true }
            return !wasStopped
        }
        guard first else { return }
        let channel = serverChannel.withLockedValue { $0 }
        try? await channel?.close()
        await core.closeAll()
        try? await core.threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}
