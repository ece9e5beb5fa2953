import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import OzProtocol

/// A WebSocket server on loopback that plays a broken, malicious gateway: it grants every `connect`, then sends
/// `HostileScript`'s session for that connection (the first, second, … since it started), and echoes what the client
/// says in the last session. Session 1 holds its hostile frames back until `release()`, so a test can look at the
/// screen before they arrive. Started `quiet`, it only records: every `connect` gets a grant to an empty room.
final class HostileGateway: Sendable {
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let server: any Channel
    let shared: Shared

    /// What the connections share: how many there were, whether session 1 may go on, and what clients sent.
    final class Shared: Sendable {
        let sessions = NIOLockedValueBox(0)
        let released: NIOLockedValueBox<Bool>
        let received = NIOLockedValueBox<[String]>([])
        /// Grant every session an empty room and send nothing else.
        let quiet: Bool

        init(released: Bool, quiet: Bool) {
            self.released = NIOLockedValueBox(released)
            self.quiet = quiet
        }
    }

    private init(port: Int, group: MultiThreadedEventLoopGroup, server: any Channel, shared: Shared) {
        self.port = port
        self.group = group
        self.server = server
        self.shared = shared
    }

    /// Starts listening on 127.0.0.1 on a free port.
    static func start(released: Bool = true, quiet: Bool = false) async throws -> HostileGateway {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let shared = Shared(released: released, quiet: quiet)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 20, automaticErrorHandling: true,
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(HostileConnection(shared: shared))
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
        let server = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = server.localAddress?.port else { throw ChildProcess.Timeout(description: "the hostile gateway has no port") }
        return HostileGateway(port: port, group: group, server: server, shared: shared)
    }

    /// Lets session 1 send its hostile frames.
    func release() { shared.released.withLockedValue { $0 = true } }

    /// How many sessions have started.
    var sessions: Int { shared.sessions.withLockedValue { $0 } }

    /// The text frames clients sent, in order.
    var received: [String] { shared.received.withLockedValue { $0 } }

    func stop() async {
        try? await server.close()
        try? await group.shutdownGracefully()
    }
}

/// One client's connection to the hostile gateway; runs on its event loop.
final class HostileConnection: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let shared: HostileGateway.Shared
    private var session: Int?
    private var echoes = 0

    init(shared: HostileGateway.Shared) {
        self.shared = shared
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            send(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData), context)
            context.flush()
        case .connectionClose:
            send(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData), context)
            context.flush()
            context.close(promise: nil)
        case .text:
            let text = String(buffer: frame.unmaskedData)
            shared.received.withLockedValue { $0.append(text) }
            if let session {
                if session >= 4 { echo(text, context) }
            } else {
                let number = shared.sessions.withLockedValue { count in
                    count += 1
                    return count
                }
                session = number
                begin(number, context)
            }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func send(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    private func sendText(_ text: String, _ context: ChannelHandlerContext) {
        send(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text)), context)
    }

    private func begin(_ session: Int, _ context: ChannelHandlerContext) {
        if shared.quiet {
            sendText(ServerFrame.accessGranted(phoneNumber: HostileScript.me, room: "recorder", clients: []).encoded, context)
            context.flush()
            return
        }
        switch session {
        case 1:
            sendText(HostileScript.grant(crowd: HostileScript.crowd), context)
            context.flush()
            whenReleased(context) {
                for frame in HostileScript.firstSession() { self.sendText(frame, context) }
                self.sendText(HostileScript.oversized(), context)
                context.flush()
            }
        case 2:
            sendText(HostileScript.grant(crowd: 3), context)
            // Over 16 MiB in three fragments, each of them under the limit.
            let payload = context.channel.allocator.buffer(string: HostileScript.oversized())
            let third = payload.readableBytes / 3
            send(WebSocketFrame(fin: false, opcode: .text, data: payload.getSlice(at: 0, length: third)!), context)
            send(WebSocketFrame(fin: false, opcode: .continuation, data: payload.getSlice(at: third, length: third)!), context)
            send(
                WebSocketFrame(fin: true, opcode: .continuation, data: payload.getSlice(at: 2 * third, length: payload.readableBytes - 2 * third)!),
                context)
            context.flush()
        case 3:
            sendText(HostileScript.grant(crowd: 3), context)
            // A text frame that is not UTF-8, and a message with a non-UTF-8 string; then hang up if the client has not.
            send(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: [0x7B, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D])), context)
            let message = Array(HostileScript.message("bad-utf8", "BROKEN").utf8)
            var bytes = message
            if let start = message.firstRange(of: Array("BROKEN".utf8))?.lowerBound { bytes.replaceSubrange(start..<start + 2, with: [0xED, 0xA0]) }
            send(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes)), context)
            context.flush()
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(2)) { context.close(promise: nil) }
        default:
            sendText(HostileScript.grant(crowd: 3), context)
            for frame in HostileScript.lastSession() { sendText(frame, context) }
            context.flush()
        }
    }

    /// Runs `body` once the test has released session 1 (polling every 50 ms on the event loop).
    private func whenReleased(_ context: ChannelHandlerContext, _ body: @escaping () -> Void) {
        if shared.released.withLockedValue({ $0 }) {
            body()
        } else {
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(50)) { self.whenReleased(context, body) }
        }
    }

    /// Sends a `message` frame back as its own echo (a delivery receipt from this gateway).
    private func echo(_ text: String, _ context: ChannelHandlerContext) {
        guard case .message(let to, let said, _) = try? ClientFrame(bytes: Array(text.utf8)) else { return }
        echoes += 1
        sendText(HostileScript.message("echo-\(echoes)", from: HostileScript.me, to: to, said), context)
        context.flush()
    }
}
