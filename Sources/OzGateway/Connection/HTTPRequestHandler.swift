import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sits behind the WebSocket upgrader and answers the plain HTTP requests: the web chatroom's files with GET and HEAD
/// when the gateway serves them (`GatewayWeb`), `426 Upgrade Required` for anything else. One request per connection
/// (`Connection: close`). Closes a connection that has not completed the upgrade or its request within the handshake
/// deadline. Removed once the upgrade succeeds.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let name = "ozgate-http-request"

    /// Sent with every web file. The page runs only its own scripts and styles (no inline script: a peer's text that
    /// ever reached the DOM as HTML still could not run), talks only WebSocket, shows avatars from any http(s) URL,
    /// and never sends its address (which may hold an invite token) to an avatar's host as a referrer.
    static let securityHeaders: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src http: https: data:; connect-src ws: wss:; "
                + "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
        ),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
    ]

    private let timeout: TimeAmount
    private let scheme: String
    private let web: WebFiles?
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    private var request: HTTPRequestHead?
    private var answered = false

    init(timeout: TimeAmount, secure: Bool, web: GatewayWeb?, threadPool: NIOThreadPool, logger: Logger) {
        self.timeout = timeout
        self.scheme = secure ? "wss" : "ws"
        self.web = web.map { WebFiles(source: $0.source) }
        self.threadPool = threadPool
        self.logger = logger
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
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request, !answered else { return }
            answered = true
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let web, let name = WebFiles.fileName(forTarget: head.uri) else {
            return upgradeRequired(context: context)
        }
        let file = web.file(named: name, threadPool: threadPool, eventLoop: context.eventLoop)
        file.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let file?):
                self.serve(file, name: name, head: head, context: context)
            case .success(nil):
                self.upgradeRequired(context: context)
            case .failure(let error):
                self.logger.error("web file", metadata: ["file": "\(name)", "error": "\(error)"])
                self.respond(.internalServerError, body: "could not read \(name)\n", context: context)
            }
        }
    }

    private func serve(_ file: WebFile, name: String, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD else {
            return respond(
                .methodNotAllowed, body: "\(head.method) is not allowed here: use GET\n", extra: [("Allow", "GET, HEAD")], context: context)
        }
        var headers = HTTPHeaders(Self.securityHeaders)
        headers.add(name: "Cache-Control", value: "no-cache")
        headers.add(name: "ETag", value: file.etag)
        headers.add(name: "Connection", value: "close")
        let notModified = head.headers[canonicalForm: "If-None-Match"].contains { $0 == file.etag || $0 == "*" }
        if !notModified {
            headers.add(name: "Content-Type", value: file.contentType)
            headers.add(name: "Content-Length", value: "\(file.bytes.readableBytes)")
        }
        let status: HTTPResponseStatus = notModified ? .notModified : .ok
        // The file's name only: the request's query (an invite link's token) is never logged.
        logger.debug("web", metadata: ["file": "\(name)", "method": "\(head.method)", "status": "\(status.code)"])
        let body = notModified || head.method == .HEAD ? nil : file.bytes
        write(HTTPResponseHead(version: .http1_1, status: status, headers: headers), body: body, context: context)
    }

    private func upgradeRequired(context: ChannelHandlerContext) {
        let body = "ozgate speaks OzWire v1 over WebSocket only: connect with \(scheme)://HOST:PORT/\n"
        respond(.upgradeRequired, body: body, extra: [("Upgrade", "websocket")], context: context)
    }

    private func respond(_ status: HTTPResponseStatus, body: String, extra: [(String, String)] = [], context: ChannelHandlerContext) {
        var headers = HTTPHeaders(extra)
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        write(HTTPResponseHead(version: .http1_1, status: status, headers: headers), body: ByteBuffer(string: body), context: context)
    }

    private func write(_ head: HTTPResponseHead, body: ByteBuffer?, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
