import Foundation
import NIOCore
import NIOWebSocket
import OzProtocol

/// How much of what it receives a simulated client reads: `counts` scans bytes (roster size, delivery latency),
/// `exact` parses every frame and keeps the roster and message ids (churn checks), `minimal` only counts.
enum Tracking: Sendable {
    case counts, exact, minimal
}

/// Per-event-loop figures, touched only on their loop, merged at the end (no cross-thread traffic while measuring).
final class LoopStats: @unchecked Sendable {
    var latency = LatencyHistogram()
    var lastDelivery: UInt64 = 0
}

/// `OZLOAD_DEBUG=1` prints every received frame (first 160 bytes) to standard error.
let debugFrames = ProcessInfo.processInfo.environment["OZLOAD_DEBUG"] == "1"

/// One simulated ozchat client. All mutable state is confined to its channel's event loop.
final class SimClient: @unchecked Sendable {
    let index: Int
    let eventLoop: any EventLoop
    let stats: LoopStats
    let tally: Tally
    let tracking: Tracking
    /// Roster size at which this member counts as converged (counts tracking); nil for never.
    var rosterTarget: Int?

    var channel: (any Channel)?
    var phoneNumber: String?
    var grantedAt: UInt64 = 0
    var completedAt: UInt64 = 0
    var frames = 0
    var bytes = 0
    var rosterCount = 0
    var roster: Set<String> = []
    var anomalies: [String] = []
    /// Message sequence numbers in arrival order (exact tracking).
    var messageNumbers: [Int] = []
    /// Beside each of `messageNumbers`, the number churn wrote in its text (`churn N`; -1 for none): which message it was.
    var messageTags: [Int] = []
    /// Presence changes seen, each with the last message number seen before it, nil before any (exact tracking).
    var marks: [(number: String, online: Bool, lastMessage: Int?)] = []
    var deliveries = 0
    var isClosed = false
    var leftGracefully = false
    var closeReason: String?
    /// When the grant-time `history` frame arrived (0: none yet).
    var historyAt: UInt64 = 0
    /// Called with each room message this client receives (loop only), after the counting.
    var onMessage: ((SimClient, ByteBuffer) -> Void)?
    /// A leave asked for before the session was granted, carried out at the grant (true: graceful).
    private var pendingLeave: Bool?

    init(index: Int, eventLoop: any EventLoop, stats: LoopStats, tally: Tally, tracking: Tracking) {
        self.index = index
        self.eventLoop = eventLoop
        self.stats = stats
        self.tally = tally
        self.tracking = tracking
    }

    /// Sends one text frame, masked as RFC 6455 requires of clients (loop only).
    func send(_ text: String) {
        guard let channel, !isClosed else { return }
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(string: text))
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends a room message (loop only).
    func say(_ text: String) {
        send(ClientFrame.message(to: ClientFrame.room, text: text).encoded)
    }

    /// Leaves politely with a `disconnect` frame (the gateway answers and closes), or by dropping the socket.
    func leave(graceful: Bool) {
        guard !isClosed else { return }
        guard let channel, phoneNumber != nil else {
            pendingLeave = graceful
            return
        }
        if graceful {
            leftGracefully = true
            send(ClientFrame.disconnect.encoded)
        } else {
            channel.close(promise: nil)
        }
    }

    func closed() {
        guard !isClosed else { return }
        isClosed = true
        tally.closed.bump()
    }

    /// Handles one complete text message from the gateway (loop only).
    func receive(_ buffer: ByteBuffer, now: UInt64) {
        frames += 1
        bytes += buffer.readableBytes
        if debugFrames { note("client \(index) got: \(String(buffer: buffer).prefix(160))") }
        if FrameScan.hasPrefix(buffer, FrameScan.messagePrefix) {
            deliveries += 1
            stats.lastDelivery = now
            tally.deliveries.bump()
            if tracking != .minimal, let sent = FrameScan.number(after: FrameScan.stampKey, in: buffer) {
                stats.latency.record(Int64(now) - sent)
            }
            if tracking == .exact, let id = FrameScan.string(after: FrameScan.idKey, in: buffer),
                let n = id.split(separator: "-").last.flatMap({ Int($0) })
            {
                messageNumbers.append(n)
                messageTags.append(FrameScan.number(after: FrameScan.churnKey, in: buffer).map { Int($0) } ?? -1)
            }
            onMessage?(self, buffer)
        } else if historyAt == 0, FrameScan.hasPrefix(buffer, FrameScan.historyPrefix) {
            historyAt = now
        } else if FrameScan.hasPrefix(buffer, FrameScan.presencePrefix) {
            switch tracking {
            case .minimal: break
            case .counts:
                rosterCount += FrameScan.count(FrameScan.online, in: buffer) - FrameScan.count(FrameScan.offline, in: buffer)
                checkComplete(now)
            case .exact: applyExact(buffer)
            }
        } else if phoneNumber == nil, FrameScan.hasPrefix(buffer, FrameScan.grantedPrefix) {
            phoneNumber = FrameScan.string(after: FrameScan.phoneKey, in: buffer)
            grantedAt = now
            tally.granted.bump()
            if let graceful = pendingLeave { leave(graceful: graceful) }
            switch tracking {
            case .minimal: break
            case .counts:
                rosterCount = FrameScan.count(FrameScan.online, in: buffer)
                checkComplete(now)
            case .exact:
                if case .accessGranted(_, _, let clients)? = try? ServerFrame(bytes: buffer.readableBytesView) {
                    roster = Set(clients.map(\.phoneNumber))
                    rosterCount = roster.count
                }
            }
        } else if let reason = FrameScan.string(after: FrameScan.reasonKey, in: buffer) {
            closeReason = reason
            if FrameScan.hasPrefix(buffer, FrameScan.deniedPrefix) { tally.denied.bump() }
        }
    }

    private func checkComplete(_ now: UInt64) {
        guard completedAt == 0, let rosterTarget, rosterCount >= rosterTarget else { return }
        completedAt = now
        tally.complete.bump()
    }

    private func applyExact(_ buffer: ByteBuffer) {
        guard case .clientStateChanged(let changes)? = try? ServerFrame(bytes: buffer.readableBytesView) else {
            anomalies.append("unparsable presence frame")
            return
        }
        let last = messageNumbers.last
        for change in changes {
            let online = change.status == .online
            marks.append((change.phoneNumber, online, last))
            if online {
                if !roster.insert(change.phoneNumber).inserted { anomalies.append("ONLINE twice: \(change.phoneNumber)") }
            } else if roster.remove(change.phoneNumber) == nil {
                anomalies.append("OFFLINE of a non-member: \(change.phoneNumber)")
            }
        }
        rosterCount = roster.count
    }
}
