import NIOCore
import NIOWebSocket
import OzProtocol

/// The WebSocket end of a simulated client: sends `connect` once upgraded, reassembles fragmented messages, answers
/// pings, completes the closing handshake, and hands each text message to its `SimClient`.
final class ClientChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let client: SimClient
    private let connectFrame: String
    private var fragments: ByteBuffer?
    private var sentClose = false

    init(client: SimClient, connectFrame: String) {
        self.client = client
        self.connectFrame = connectFrame
    }

    func handlerAdded(context: ChannelHandlerContext) {
        client.channel = context.channel
        client.send(connectFrame)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin {
                client.receive(frame.unmaskedData, now: NIODeadline.now().uptimeNanoseconds)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            guard var pending = fragments else { return }
            var more = frame.unmaskedData
            pending.writeBuffer(&more)
            if frame.fin {
                fragments = nil
                client.receive(pending, now: NIODeadline.now().uptimeNanoseconds)
            } else {
                fragments = pending
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if !sentClose {
                sentClose = true
                var data = frame.unmaskedData
                let code = data.readSlice(length: min(2, data.readableBytes)) ?? context.channel.allocator.buffer(capacity: 0)
                let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
