import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A WebSocket server on loopback that answers a client's first frame (its `connect`) with fixed text frames, to show
/// how the client takes a gateway that breaks the protocol.
final class ScriptedGateway: Sendable {
    let port: Int
    private let server: any Channel

    private init(port: Int, server: any Channel) {
        self.port = port
        self.server = server
    }

    static func start(answering frames: [String]) async throws -> ScriptedGateway {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Script(frames: frames)) }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
        let server = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return ScriptedGateway(port: server.localAddress?.port ?? 0, server: server)
    }

    func stop() async {
        try? await server.close()
    }

    private final class Script: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        let frames: [String]
        var answered = false

        init(frames: [String]) {
            self.frames = frames
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            guard frame.opcode == .text, !answered else { return }
            answered = true
            for text in frames {
                context.write(
                    wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))), promise: nil)
            }
            context.flush()
        }
    }
}
