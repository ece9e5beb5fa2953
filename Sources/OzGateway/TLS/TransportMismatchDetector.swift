import Logging
import NIOCore
import NIOHTTP1

/// Reads the first byte a client sends, before TLS or HTTP see it, and turns away a client that speaks the other
/// transport, with one log line: on a plain `ws://` port a TLS ClientHello (a `wss://` client) is closed at once; on a
/// TLS port a plain-text request (a `ws://` client, or curl on http://) gets a plain-text `400` that says to use
/// `wss://`, so it fails at once with a hint instead of waiting on a TLS answer it cannot read. Anything else passes on,
/// and the detector leaves the pipeline after the first read.
final class TransportMismatchDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The TLS record type of a handshake message: the first byte of every ClientHello.
    static let handshakeRecord: UInt8 = 0x16

    private let expectsTLS: Bool
    private let logger: Logger
    private var rejected = false

    init(expectsTLS: Bool, logger: Logger) {
        self.expectsTLS = expectsTLS
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        guard let first = unwrapInboundIn(data).readableBytesView.first else { return }
        let isTLS = first == Self.handshakeRecord
        if isTLS == expectsTLS {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        rejected = true
        if isTLS {
            logger.notice("tls client on a plain port", metadata: ["reason": "a wss:// client; this port serves ws:// only"])
            context.close(promise: nil)
            return
        }
        logger.notice("plain client on the tls port", metadata: ["reason": "a ws:// or http:// client; this port serves wss:// only"])
        let body = "ozgate serves OzWire v1 over TLS on this port: connect with wss://HOST:PORT/\n"
        let response =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
