import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOWebSocket
import OzProtocol

/// One client's WebSocket after the HTTP upgrade: answers pings, enforces the handshake deadline, the bad-frame budget
/// and liveness, authenticates `connect`, and feeds granted sessions into their room. Fragmented messages arrive whole,
/// reassembled by NIO's `NIOWebSocketFrameAggregator` in front of it (see `MessageAssembly`), whose errors close here.
/// Everything here runs on the channel's event loop.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Where the connection is in its life: before `connect`, checking credentials, in a room, closing, closed.
    enum State {
        case awaitingConnect
        case authenticating
        case granted(Member, any ChatRoom)
        case closing
        case closed
    }

    let gateway: GatewayCore
    let id: Int
    var logger: Logger
    var state: State = .awaitingConnect
    var context: ChannelHandlerContext?
    /// The `RawFrameWriter`'s context: room frames, already framed, are written there, past NIO's frame encoder.
    private var rawContext: ChannelHandlerContext?
    private var lastHeard = NIODeadline.now()
    private var badFrames: [NIODeadline] = []
    private var messageBucket: TokenBucket
    /// Whether the last message was refused for its rate, so a limited streak is logged once, not per message.
    private var rateLimited = false
    private var timers: [Scheduled<Void>] = []
    private var pingTimer: Scheduled<Void>?
    private var flushPending = false
    /// `history` requests not yet answered; answers go out in the order of the requests, one in flight at a time.
    private var historyRequests = CircularBuffer<HistoryQuery>()
    /// Most `history` requests a connection may have waiting; one more is `RATE_LIMITED`.
    static let maxQueuedHistoryRequests = 8
    /// Why the connection ended, for the close log line.
    var endReason = "socket closed"

    init(gateway: GatewayCore, id: Int, logger: Logger) {
        self.gateway = gateway
        self.id = id
        self.logger = logger
        self.logger[metadataKey: "conn"] = "\(id)"
        let limits = gateway.configuration.limits
        self.messageBucket = TokenBucket(rate: limits.messageRate, burst: limits.messageBurst)
    }

    var configuration: GatewayConfiguration { gateway.configuration }

    // MARK: lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        rawContext = try? context.pipeline.syncOperations.context(handlerType: RawFrameWriter.self)
        lastHeard = .now()
        let loop = context.eventLoop.assumeIsolated()
        timers.append(
            loop.scheduleTask(in: configuration.handshakeTimeout) {
                switch self.state {
                case .awaitingConnect, .authenticating:
                    self.endReason = "no connect within the handshake deadline"
                    self.closeWebSocket(code: .policyViolation, reason: "connect timeout")
                default: break
                }
            })
        schedulePing()
        gateway.register(self, id: id, channel: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        leaveRoom()
        state = .closed
        for timer in timers { timer.cancel() }
        pingTimer?.cancel()
        gateway.unregister(id: id)
        logger.info("close", metadata: ["reason": "\(endReason)"])
        self.context = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The write buffer passed its high-water mark (`maxOutboundBytes`): this member cannot keep up with the room.
        if !context.channel.isWritable, case .granted = state {
            configuration.metrics.slowConsumerCloses.increment()
            endSession(.slow)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A message the aggregator would not reassemble: too large (1009, as PROTOCOL.md says) or malformed (1002).
        if let refusal = MessageAssembly.refusal(for: error) {
            endReason = refusal.endReason
            return closeWebSocket(code: refusal.code, reason: refusal.reason)
        }
        endReason = "error: \(error)"
        context.close(promise: nil)
    }

    // MARK: inbound frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastHeard = .now()
        switch frame.opcode {
        case .ping:
            guard frame.fin, frame.length <= 125 else { return protocolError("bad ping frame") }
            write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
        case .pong:
            break
        case .connectionClose:
            receivedClose(frame)
        case .text, .binary:
            // Whole messages only: the aggregator in front turned fragments into one frame.
            handleMessage(opcode: frame.opcode, data: frame.unmaskedData)
        default:
            protocolError("reserved opcode")
        }
    }

    private func protocolError(_ why: String) {
        endReason = "protocol error: \(why)"
        closeWebSocket(code: .protocolError, reason: why)
    }

    private func receivedClose(_ frame: WebSocketFrame) {
        if case .closing = state {
            context?.close(promise: nil)
            return
        }
        var data = frame.unmaskedData
        let code = data.readWebSocketErrorCode()
        endReason = "client closed the WebSocket (\(code.map { "\(UInt16(webSocketErrorCode: $0))" } ?? "no code"))"
        leaveRoom()
        state = .closing
        var reply = context?.channel.allocator.buffer(capacity: 2) ?? ByteBuffer()
        reply.write(webSocketErrorCode: .normalClosure)
        context?.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
            .assumeIsolated().whenComplete { _ in self.context?.close(promise: nil) }
    }

    private func handleMessage(opcode: WebSocketOpcode, data: ByteBuffer) {
        switch state {
        case .closing, .closed: return
        default: break
        }
        guard opcode == .text else {
            return reject(.badFrame, "binary frames are not accepted; send JSON text frames")
        }
        let frame: ClientFrame
        do {
            frame = try data.withUnsafeReadableBytes { (raw) throws(FrameError) in try ClientFrame(bytes: raw) }
        } catch {
            return reject(error.code, error.message, ref: error.ref)
        }
        switch (state, frame) {
        case (.awaitingConnect, .connect(let token, let properties, let recall)):
            authenticate(token: token, properties: properties, recall: recall)
        case (.authenticating, .connect), (.granted, .connect):
            reject(.alreadyConnected, "connect may be sent only once per connection")
        case (.awaitingConnect, _), (.authenticating, _):
            reject(.notConnected, "send connect and wait for ACCESS_GRANTED first")
        case (.granted(let member, let room), .message(let to, let text, let nonce)):
            let scalars = text.unicodeScalars.count
            guard scalars >= 1, scalars <= WireLimits.maxTextScalars else {
                return reject(.badFrame, "text must be 1–\(WireLimits.maxTextScalars) Unicode scalars, not \(scalars)", nonce: nonce)
            }
            guard messageBucket.take(at: .now()) else {
                configuration.metrics.messageRateRefusals.increment()
                let limits = configuration.limits
                if !rateLimited {
                    rateLimited = true
                    logger.notice("rate limited", metadata: ["limit": "\(limits.messageRate)/s"])
                }
                return reject(
                    .rateLimited, "more than \(limits.messageRate) messages a second (bursts of \(limits.messageBurst)); this one was not sent",
                    nonce: nonce)
            }
            rateLimited = false
            configuration.metrics.messagesIn.increment()
            room.eventLoop.execute { room.post(from: member, to: to, text: text, nonce: nonce) }
        case (.granted(_, let room), .history(let query)):
            guard historyRequests.count < Self.maxQueuedHistoryRequests else {
                return reject(
                    .rateLimited, "more than \(Self.maxQueuedHistoryRequests) history requests waiting; wait for the answers", ref: query.ref)
            }
            historyRequests.append(query)
            if historyRequests.count == 1 { askHistory(room) }
        case (.granted, .disconnect):
            endReason = "client disconnected"
            endSession(.client)
        case (.closing, _), (.closed, _):
            break
        }
    }

    /// Asks the room for the oldest waiting `history` request's answer; the answer comes back on this loop.
    private func askHistory(_ room: any ChatRoom) {
        guard let query = historyRequests.first, let loop = context?.eventLoop else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        room.eventLoop.execute {
            room.answerHistory(query) { answer in
                loop.execute { bound.value.answeredHistory(answer, room: room) }
            }
        }
    }

    private func answeredHistory(_ answer: [UInt8]?, room: any ChatRoom) {
        guard case .granted = state, let query = historyRequests.popFirst() else { return }
        if let answer {
            enqueue(TextFrame.encode(ByteBuffer(bytes: answer)))
        } else {
            reject(.unknownMessage, "no message \(query.before ?? "") in this room's history", ref: query.ref)
        }
        askHistory(room)
    }

    /// Answers bad input with an `error` frame (carrying the `ref` of the `history` request it is about, or the `nonce`
    /// of the `message` it refuses); past the budget of bad frames per window, closes with 1008.
    func reject(_ code: ErrorCode, _ message: String, ref: String? = nil, nonce: String? = nil) {
        let now = NIODeadline.now()
        badFrames.removeAll { now - $0 > configuration.badFrameWindow }
        badFrames.append(now)
        if let ref {
            let error: JSONValue = .object(["type": "error", "code": .string(code.rawValue), "message": .string(message), "ref": .string(ref)])
            write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: JSONWriter.string(error))))
        } else {
            writeDirect(ServerFrame.error(code: code, message: message, nonce: nonce))
        }
        if badFrames.count > configuration.badFrameLimit {
            // RATE_LIMITED refusals count too: a client that keeps sending past its rate is closed like a bad one.
            let rate = code == .rateLimited
            endReason =
                rate ? "rate limit: more than \(configuration.badFrameLimit) messages refused" : "more than \(configuration.badFrameLimit) bad frames"
            logger.notice("bad-frame budget exceeded", metadata: ["last": "\(code)"])
            closeWebSocket(code: .policyViolation, reason: rate ? "rate limit exceeded" : "too many bad frames")
        }
    }

    // MARK: liveness

    private func schedulePing() {
        pingTimer = context?.eventLoop.assumeIsolated().scheduleTask(in: configuration.pingInterval) {
            self.pingTick()
            self.schedulePing()
        }
    }

    private func pingTick() {
        switch state {
        case .closing, .closed: return
        default: break
        }
        if NIODeadline.now() - lastHeard > configuration.pingTimeout {
            endReason = "no answer to pings"
            if case .granted = state {
                endSession(.idle)
            } else {
                closeWebSocket(code: .goingAway, reason: "idle")
            }
            return
        }
        var payload = ByteBuffer()
        payload.writeInteger(UInt64(NIODeadline.now().uptimeNanoseconds))
        write(WebSocketFrame(fin: true, opcode: .ping, data: payload))
    }

    // MARK: outbound

    /// Queues a room frame (already a complete WebSocket frame, see `TextFrame`); ignored once the session is ending.
    func enqueue(_ frame: ByteBuffer) {
        enqueueUnflushed(frame)
        scheduleFlush()
    }

    /// Queues the `ACCESS_GRANTED` snapshot. It can be up to 16 MiB, more than the `maxOutboundBytes` a member may have
    /// unsent before it is closed as `slow`, so the limit is raised by the snapshot's size until it has been written:
    /// a big room's newcomer is not taken for a slow one, and what queues behind the snapshot is still bounded.
    func enqueueSnapshot(_ frame: ByteBuffer) {
        guard case .granted = state, let rawContext, let options = rawContext.channel.syncOptions else { return }
        let limit = configuration.maxOutboundBytes
        let raised = ChannelOptions.Types.WriteBufferWaterMark(low: limit / 2, high: limit + frame.readableBytes)
        try? options.setOption(.writeBufferWaterMark, value: raised)
        let written = rawContext.eventLoop.makePromise(of: Void.self)
        rawContext.write(NIOAny(frame), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            try? options.setOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
        }
        scheduleFlush()
    }

    /// Writes a room frame past the frame encoder; see `enqueue`.
    private func enqueueUnflushed(_ frame: ByteBuffer) {
        guard case .granted = state, let rawContext else { return }
        rawContext.write(NIOAny(frame), promise: nil)
    }

    func writeDirect(_ frame: ServerFrame) {
        write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: frame.encoded)))
    }

    /// Writes now and flushes once at the end of this event-loop turn, so a burst becomes one system call.
    private func write(_ frame: WebSocketFrame) {
        guard let context else { return }
        context.write(wrapOutboundOut(frame), promise: nil)
        scheduleFlush()
    }

    private func scheduleFlush() {
        guard let context, !flushPending else { return }
        flushPending = true
        context.eventLoop.assumeIsolated().execute {
            self.flushPending = false
            self.context?.flush()
        }
    }

    /// Ends a granted session: tells the client why, leaves the room, and closes the WebSocket.
    func endSession(_ reason: CloseReason) {
        guard case .granted(let member, let room) = state else { return }
        if endReason == "socket closed" { endReason = reason.rawValue }
        writeDirect(.connectionClosed(reason: reason))
        logger.info("end", metadata: ["reason": "\(reason)", "number": "\(member.phoneNumber)", "room": "\(room.name)"])
        let code: WebSocketErrorCode =
            switch reason {
            case .slow: .policyViolation
            case .shutdown, .idle: .goingAway
            default: .normalClosure
            }
        closeWebSocket(code: code, reason: reason.rawValue)
    }

    /// Takes a granted member out of its room (the room ignores a member it already replaced).
    private func leaveRoom() {
        guard case .granted(let member, let room) = state else { return }
        room.eventLoop.execute { room.leave(member) }
    }

    /// Sends a close frame and closes the socket when the client answers, or after `closeGrace`.
    func closeWebSocket(code: WebSocketErrorCode, reason: String) {
        switch state {
        case .closing, .closed: return
        default: break
        }
        leaveRoom()
        state = .closing
        guard let context else { return }
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(reason.prefix(100)))
        write(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        timers.append(
            context.eventLoop.assumeIsolated().scheduleTask(in: configuration.closeGrace) {
                self.context?.close(promise: nil)
            })
    }
}
