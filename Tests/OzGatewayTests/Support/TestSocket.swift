import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import OzProtocol

/// A raw WebSocket client for gateway tests, over a real loopback socket. Unlike a friendly client library it can send
/// anything (binary, oversize or fragmented frames, garbage), can stop reading, and can leave pings unanswered.
final class TestSocket: Sendable {
    private let channel: any Channel
    private let inbox: Inbox

    /// What the gateway sent: text messages, then a close code when a close frame arrives.
    final class Inbox: Sendable {
        private let state = NIOLockedValueBox<State>(State())
        struct State {
            var messages: [String] = []
            var closeCode: UInt16?
            var closeReason: String?
            var ended = false
            var pings = 0
            var waiters: [CheckedContinuation<Void, Never>] = []
        }

        func update(_ body: (inout State) -> Void) {
            let waiters = state.withLockedValue { s in
                body(&s)
                defer { s.waiters = [] }
                return s.waiters
            }
            for waiter in waiters { waiter.resume() }
        }

        func read<T>(_ body: (inout State) -> T) -> T { state.withLockedValue(body) }

        /// Waits until `condition` holds or `timeout` passes; returns whether it held.
        func wait(timeout: Duration, until condition: @escaping @Sendable (State) -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while true {
                if read({ condition($0) }) { return true }
                if ContinuousClock.now >= deadline { return false }
                // Wake on the next update, or poll every 50 ms.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await withCheckedContinuation { continuation in
                            let appended = self.state.withLockedValue { s -> Bool in
                                if condition(s) { return false }
                                s.waiters.append(continuation)
                                return true
                            }
                            if !appended { continuation.resume() }
                        }
                    }
                    group.addTask { try? await Task.sleep(for: .milliseconds(50)) }
                    await group.next()
                    group.cancelAll()
                    self.update { _ in }
                }
            }
        }
    }

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static let group = MultiThreadedEventLoopGroup.singleton

    /// Opens a WebSocket to `ws://HOST:port/path`. With `answerPings: false` the socket never answers the gateway's pings.
    /// A small `receiveBuffer` makes a socket that stops reading back up quickly.
    static func connect(
        host: String = "127.0.0.1", port: Int, path: String = "/", answerPings: Bool = true, receiveBuffer: Int? = nil
    ) async throws -> TestSocket {
        let inbox = Inbox()
        let upgraded = group.next().makePromise(of: Void.self)
        var bootstrap = ClientBootstrap(group: group)
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
        }
        bootstrap = bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOWebSocketClientUpgrader(
                    maxFrameSize: WireLimits.maxServerMessageBytes,
                    automaticErrorHandling: false,
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            channel.pipeline.removeHandler(name: "requester", promise: nil)
                            try channel.pipeline.syncOperations.addHandler(FrameCollector(inbox: inbox, answerPings: answerPings))
                            upgraded.succeed()
                        }
                    }
                )
                try channel.pipeline.syncOperations.addHTTPClientHandlers(
                    withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
                )
                try channel.pipeline.syncOperations.addHandler(UpgradeRequester(path: path, host: host, port: port), name: "requester")
            }
        }
        let channel = try await bootstrap.connect(host: host, port: port).get()
        channel.closeFuture.whenComplete { _ in
            upgraded.fail(ChannelError.ioOnClosedChannel)
            inbox.update { $0.ended = true }
        }
        try await upgraded.futureResult.get()
        return TestSocket(channel: channel, inbox: inbox)
    }

    /// Opens a WebSocket and logs in; returns the socket and the reply (ACCESS_GRANTED or ACCESS_DENIED) that came
    /// within `timeout`.
    static func join(
        port: Int, token: String, properties: JSONObject = [:], recall: HistoryRecall = .none, timeout: Duration = .seconds(5)
    ) async throws -> (TestSocket, ServerFrame) {
        let socket = try await connect(port: port)
        try await socket.send(.connect(token: token, properties: properties, recall: recall))
        let reply = try await socket.nextFrame(timeout: timeout)
        return (socket, reply)
    }

    // MARK: sending

    func send(_ frame: ClientFrame) async throws { try await sendText(frame.encoded) }

    func sendText(_ text: String) async throws {
        try await sendFrame(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)))
    }

    func sendFrame(_ frame: WebSocketFrame) async throws {
        var frame = frame
        frame.maskKey = WebSocketMaskingKey([UInt8.random(in: 0...255), 1, 2, 3])
        try await channel.writeAndFlush(frame).get()
    }

    /// Stops reading from the socket, so the gateway's writes back up (a slow consumer).
    func stopReading() async throws {
        try await channel.setOption(.autoRead, value: false).get()
    }

    /// Resumes reading after `stopReading`.
    func resumeReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    func close() async {
        try? await channel.close().get()
    }

    // MARK: receiving

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// The next text message, decoded; throws if none arrives within `timeout`.
    func nextFrame(timeout: Duration = .seconds(5)) async throws -> ServerFrame {
        let text = try await nextText(timeout: timeout)
        return try ServerFrame(bytes: Array(text.utf8))
    }

    /// The next text message as sent.
    func nextText(timeout: Duration = .seconds(5)) async throws -> String {
        let arrived = await inbox.wait(timeout: timeout) { !$0.messages.isEmpty || $0.ended }
        let message = inbox.read { s -> String? in s.messages.isEmpty ? nil : s.messages.removeFirst() }
        guard arrived, let message else {
            throw Timeout(description: "no message within \(timeout)\(inbox.read { $0.ended } ? " (socket closed)" : "")")
        }
        return message
    }

    /// Frames up to the first one matching `predicate`; throws if it never comes.
    func next(matching predicate: (ServerFrame) -> Bool, timeout: Duration = .seconds(5)) async throws -> ServerFrame {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await nextFrame(timeout: max(.zero, deadline - ContinuousClock.now))
            if predicate(frame) { return frame }
        }
    }

    /// The close code the gateway sent, once the socket has closed (nil if it closed without a close frame).
    func closeCode(timeout: Duration = .seconds(5)) async -> UInt16? {
        _ = await inbox.wait(timeout: timeout) { $0.ended }
        return inbox.read { $0.closeCode }
    }

    /// Whether the socket has closed within `timeout`.
    func isClosed(within timeout: Duration) async -> Bool {
        await inbox.wait(timeout: timeout) { $0.ended }
    }

    /// Messages received but not yet read.
    var pendingMessages: [String] { inbox.read { $0.messages } }

    /// How many pings the gateway sent.
    var pingsReceived: Int { inbox.read { $0.pings } }
}

/// Sends the HTTP upgrade request once the TCP connection is up.
private final class UpgradeRequester: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let path: String
    let host: String
    let port: Int

    init(path: String, host: String, port: Int) {
        self.path = path
        self.host = host
        self.port = port
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host.contains(":") ? "[\(host)]" : host):\(port)")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A non-upgrade response: the gateway refused the upgrade.
        context.close(promise: nil)
    }
}

/// Collects text messages (reassembling fragments), answers pings unless told not to, and records the close code.
private final class FrameCollector: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    let inbox: TestSocket.Inbox
    let answerPings: Bool
    var partial: ByteBuffer?

    init(inbox: TestSocket.Inbox, answerPings: Bool) {
        self.inbox = inbox
        self.answerPings = answerPings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            var data = frame.unmaskedData
            if frame.opcode == .text { partial = ByteBuffer() }
            partial?.writeBuffer(&data)
            if frame.fin, let whole = partial {
                let text = String(buffer: whole)
                partial = nil
                inbox.update { $0.messages.append(text) }
            }
        case .binary:
            inbox.update { $0.messages.append("<binary>") }
        case .ping:
            inbox.update { $0.pings += 1 }
            if answerPings {
                let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
                context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            }
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self)
            let reason = data.readString(length: data.readableBytes)
            inbox.update {
                $0.closeCode = code
                $0.closeReason = reason
            }
            var reply = ByteBuffer()
            reply.writeInteger(code ?? 1000)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
            context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }
}
