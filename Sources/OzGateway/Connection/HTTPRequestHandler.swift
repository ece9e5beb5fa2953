import NIOCore
import NIOHTTP1

/// Sits behind the WebSocket upgrader: answers any plain HTTP request with 426 Upgrade Required, and closes a connection
/// that has not completed the upgrade within the handshake deadline. Removed once the upgrade succeeds.
final class HTTPRejectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let name = "ozgate-http-reject"
    private let timeout: TimeAmount
    private let scheme: String
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, secure: Bool) {
        self.timeout = timeout
        self.scheme = secure ? "wss" : "ws"
    }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body = "ozgate speaks OzWire v1 over WebSocket only: connect with \(scheme)://HOST:PORT/\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Upgrade", value: "websocket")
        let head = HTTPResponseHead(version: .http1_1, status: .upgradeRequired, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
