import NIOCore
import OzProtocol

/// One granted session as its room sees it. `send` is safe from any thread: it hops to the member's own event loop,
/// where its connection queues the frame (and closes itself as `slow` if it cannot keep up).
package final class Member: @unchecked Sendable {
    package let phoneNumber: String
    package let info: ClientInfo
    /// Whether `phoneNumber` was drawn at random (and must be given back), rather than an extension number.
    package let numberIsDrawn: Bool
    /// `ClientInfo` JSON with status ONLINE / OFFLINE, encoded once when the member joins.
    package let onlineJSON: [UInt8]
    package let offlineJSON: [UInt8]
    package let eventLoop: any EventLoop
    private let connection: NIOLoopBound<ConnectionHandler>

    // Owned by the room's event loop.
    /// The presence sequence number of this member's own ONLINE event; it has seen everything before it in its snapshot.
    package var joinSequence = 0
    /// Position in the room's per-loop member list, for O(1) removal.
    package var slot = 0
    /// What its `connect` asked from the room's history, answered right after its snapshot.
    package let recall: HistoryRecall

    init(info: ClientInfo, numberIsDrawn: Bool, connection: ConnectionHandler, eventLoop: any EventLoop, recall: HistoryRecall = .none) {
        self.recall = recall
        self.phoneNumber = info.phoneNumber
        self.info = info
        self.numberIsDrawn = numberIsDrawn
        var online: [UInt8] = []
        JSONWriter.write(info.json, into: &online)
        self.onlineJSON = online
        var offline: [UInt8] = []
        var left = info
        left.status = .offline
        JSONWriter.write(left.json, into: &offline)
        self.offlineJSON = offline
        self.eventLoop = eventLoop
        self.connection = NIOLoopBound(connection, eventLoop: eventLoop)
    }

    /// Queues a complete WebSocket frame (see `TextFrame`) for this member. Must be called on `eventLoop`.
    package func sendOnLoop(_ frame: ByteBuffer) {
        connection.value.enqueue(frame)
    }

    /// Queues a complete WebSocket frame (see `TextFrame`) for this member, from any thread.
    package func send(_ frame: ByteBuffer) {
        if eventLoop.inEventLoop {
            sendOnLoop(frame)
        } else {
            eventLoop.execute { self.sendOnLoop(frame) }
        }
    }

    /// Queues the member's `ACCESS_GRANTED` snapshot (a complete WebSocket frame), from any thread. The snapshot may be
    /// larger than the slow-consumer limit, which is lifted by its size until it is written (see `enqueueSnapshot`).
    /// Like `send`, it writes at once on its own loop, so the snapshot stays ahead of the presence changes after it.
    package func sendSnapshot(_ frame: ByteBuffer) {
        if eventLoop.inEventLoop {
            connection.value.enqueueSnapshot(frame)
        } else {
            eventLoop.execute { self.connection.value.enqueueSnapshot(frame) }
        }
    }

    /// Refuses the member after all (its room is full): `ACCESS_DENIED` with `reason`, then close 1008. Any thread.
    package func deny(_ reason: String) {
        eventLoop.execute { self.connection.value.denyFromRoom(reason) }
    }

    /// Ends the session with a `CONNECTION_CLOSED` frame carrying `reason`, from any thread.
    package func end(_ reason: CloseReason) {
        eventLoop.execute { self.connection.value.endSession(reason) }
    }
}
