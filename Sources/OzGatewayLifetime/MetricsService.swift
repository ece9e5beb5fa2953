import NIOCore
import NIOHTTP1
import NIOPosix
import OzGateway
import Prometheus
import ServiceLifecycle

/// ozgate's `--metrics-port` as a service of its `ServiceGroup`: plain HTTP with `GET /metrics` (the registry in
/// Prometheus' text format) and `GET /healthz` (200 `ok` when the gateway can take logins, else 503 with the reason).
/// It stops listening when the group shuts down. Meant for a private address (it defaults to loopback): nothing on it is
/// secret, but nothing on it needs to be public either.
public struct MetricsService: Service {
    /// Thrown by `run()` when the port cannot be bound.
    public struct CannotListen: Error {
        public let underlying: any Error
    }

    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () -> GatewayHealth
    private let onListening: @Sendable (Int) async -> Void

    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry, health: @escaping @Sendable () -> GatewayHealth,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.health = health
        self.onListening = onListening
    }

    public func run() async throws {
        let (registry, health) = (self.registry, self.health)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry, health: health))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw CannotListen(underlying: error)
        }
        await onListening(channel.localAddress?.port ?? port)
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Answers one request per connection, then closes it.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () -> GatewayHealth
    private var request: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, health: @escaping @Sendable () -> GatewayHealth) {
        self.registry = registry
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let (status, type, body) = answer(head)
            var headers = HTTPHeaders([("content-type", type), ("content-length", "\(body.count)"), ("connection", "close")])
            if status == .methodNotAllowed { headers.add(name: "allow", value: "GET, HEAD") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, [UInt8]) {
        guard head.method == .GET || head.method == .HEAD else { return (.methodNotAllowed, "text/plain", Array("use GET\n".utf8)) }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch path {
        case "/metrics":
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", bytes)
        case "/healthz":
            switch health() {
            case .ready: return (.ok, "text/plain", Array("ok\n".utf8))
            case .unavailable(let reason): return (.serviceUnavailable, "text/plain", Array("unavailable: \(reason)\n".utf8))
            }
        default:
            return (.notFound, "text/plain", Array("not found: try /metrics or /healthz\n".utf8))
        }
    }
}
