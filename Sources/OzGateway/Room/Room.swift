import CoreMetrics
import Foundation
import Logging
import NIOCore
import OzProtocol

/// A line's chatroom. All of its state lives on one event loop, which gives every member one total order of presence
/// changes and messages. Each broadcast frame is encoded once and handed to each member's loop in one task per loop.
final class Room: ChatRoom, @unchecked Sendable {
    let name: String
    let eventLoop: any EventLoop
    private let releaseNumber: @Sendable (String) -> Void

    private var members: [String: Member] = [:]
    /// Members grouped by their event loop, so a broadcast costs one cross-thread task per loop, not per member.
    private var groups = LoopGroups()
    /// Presence changes not yet sent, batched into one `clientStateChanged` frame per `presenceWindow`.
    private var pendingPresence = PresenceBatch()
    /// How long the first change of a batch waits for others. A flood of joins then costs each member one frame per
    /// window instead of one per join (the fan-out is members × frames); a message flushes the batch first.
    private let presenceWindow: TimeAmount
    /// Most members at once (0: no limit); a newcomer past it is denied, a replacement is not.
    private let memberLimit: Int
    /// How big the member list may grow for every snapshot to fit in what a client accepts.
    private let snapshotBudget: SnapshotBudget
    /// The member list as a snapshot carries it, plus one: every member's ONLINE entry and a comma after each.
    private var memberListBytes = 0
    private var nextSequence = 0
    private var flushScheduled = false
    /// Without history, message ids are `EPOCH-N`: the epoch keeps ids unique across gateway restarts.
    private let epoch: String
    private var nextMessage = 1
    /// With history: the newest stored messages and the numbering (ids are then the store's `EPOCH-SEQ`).
    private var history: RoomHistory?
    /// Where accepted room messages go to be stored.
    private let writer: HistoryWriter?
    /// Set at shutdown: no more joins, and departures are no longer announced (everyone is being told `shutdown`).
    private var closed = false
    private let metrics: GatewayMetrics

    init(
        name: String, eventLoop: any EventLoop, presenceWindow: TimeAmount = .zero, memberLimit: Int = 0,
        snapshotBudget: SnapshotBudget, history: RoomHistory? = nil, writer: HistoryWriter? = nil, metrics: GatewayMetrics = GatewayMetrics(),
        releaseNumber: @escaping @Sendable (String) -> Void
    ) {
        self.metrics = metrics
        self.history = history
        self.writer = writer
        self.name = name
        self.eventLoop = eventLoop
        self.presenceWindow = presenceWindow
        self.memberLimit = memberLimit
        self.snapshotBudget = snapshotBudget
        self.releaseNumber = releaseNumber
        self.epoch = String((0..<4).map { _ in "abcdefghijkmnpqrstuvwxyz23456789".randomElement()! })
    }

    /// Number of members (room loop only).
    var count: Int { members.count }

    /// Admits a member: replaces any session with the same number, sends it the snapshot, announces it to the others.
    /// A member is denied if the room is full: at its member limit, or with a member list that would no longer fit in
    /// a snapshot (checked for a replacement too, whose properties may have grown; the replaced session then stays).
    func join(_ member: Member) {
        eventLoop.preconditionInEventLoop()
        guard !closed else {
            member.end(.shutdown)
            return
        }
        let previous = members[member.phoneNumber]
        // The member list a later newcomer's snapshot would carry, with this member in it.
        let listBytes = memberListBytes - (previous.map { $0.onlineJSON.count + 1 } ?? 0) + member.onlineJSON.count
        if previous == nil, memberLimit > 0, members.count >= memberLimit {
            return refuse(member, "the room \(name) is full (\(memberLimit) members)")
        }
        if listBytes > snapshotBudget.memberListLimit {
            let limit = SnapshotBudget.describe(snapshotBudget.snapshotLimit)
            return refuse(member, "the room \(name) is full (\(members.count) members): its member list would pass the \(limit) snapshot limit")
        }
        if let previous {
            remove(previous)
            previous.end(.replaced)
        }
        // Pending presence changes are already reflected in `members`, so the snapshot covers them; the newcomer's
        // `joinSequence` makes the next flush send it only what happens after its own join.
        var frame: [UInt8] = []
        frame.reserveCapacity(96 + memberListBytes)
        SnapshotBudget.writeHeader(number: member.phoneNumber, room: name, keepsHistory: history != nil, into: &frame)
        var first = true
        for group in groups.groups {
            for other in group.members {
                if !first { frame.append(UInt8(ascii: ",")) }
                first = false
                frame.append(contentsOf: other.onlineJSON)
            }
        }
        frame.append(contentsOf: "]}".utf8)
        member.sendSnapshot(TextFrame.encode(ByteBuffer(bytes: frame)))
        // Right behind the snapshot and before anything said after this point: the seam between history and live.
        if let answer = history?.grantAnswer(member.recall) { member.send(TextFrame.encode(ByteBuffer(bytes: answer))) }

        members[member.phoneNumber] = member
        memberListBytes += member.onlineJSON.count + 1
        groups.add(member)
        metrics.members.increment()
        member.joinSequence = announce(member.onlineJSON)
    }

    /// Removes a member whose connection ended; a no-op if it was already replaced.
    func leave(_ member: Member) {
        eventLoop.preconditionInEventLoop()
        guard members[member.phoneNumber] === member else { return }
        remove(member)
    }

    /// Turns a newcomer away with `ACCESS_DENIED`, giving back its drawn number.
    private func refuse(_ member: Member, _ reason: String) {
        if member.numberIsDrawn { releaseNumber(member.phoneNumber) }
        member.deny(reason)
    }

    private func remove(_ member: Member) {
        members[member.phoneNumber] = nil
        memberListBytes -= member.onlineJSON.count + 1
        groups.remove(member)
        metrics.members.decrement()
        announce(member.offlineJSON)
        if member.numberIsDrawn { releaseNumber(member.phoneNumber) }
    }

    /// Queues a presence change and returns its sequence number.
    @discardableResult
    private func announce(_ json: [UInt8]) -> Int {
        guard !closed else { return nextSequence }
        let sequence = nextSequence
        nextSequence += 1
        metrics.presenceEvents.increment()
        pendingPresence.append(sequence: sequence, json: json)
        if !flushScheduled {
            flushScheduled = true
            if presenceWindow > .zero {
                eventLoop.scheduleTask(in: presenceWindow) { self.flushPresence() }
            } else {
                eventLoop.execute { self.flushPresence() }
            }
        }
        return sequence
    }

    /// Sends pending presence changes. A member that joined during the batch gets only the changes after its own join.
    func flushPresence() {
        flushScheduled = false
        pendingPresence.flush(to: groups)
    }

    /// Accepts a message from a member: stamps it with an id and time, then delivers it to the room or to one member,
    /// echoing it to the sender as the receipt.
    func post(from sender: Member, to recipient: String, text: String, nonce: String? = nil) {
        eventLoop.preconditionInEventLoop()
        guard members[sender.phoneNumber] === sender else { return }
        let target: Member?
        if recipient == ClientFrame.room {
            target = nil
        } else if let member = members[recipient] {
            target = member
        } else {
            let error = ServerFrame.error(code: .unknownRecipient, message: "no member \(recipient) in room \(name)", nonce: nonce)
            sender.send(TextFrame.encode(ByteBuffer(string: error.encoded)))
            return
        }
        flushPresence()
        let now = Date()
        let ts = WireTimestamp.string(from: now)
        let frame: ByteBuffer
        // Mutated in place (`self.history?`), never copied out: a copy would make every append copy the whole tail.
        if let (seq, id) = self.history?.nextID() {
            // A room message is stored with the sender's properties; its live copies carry them too (OzWire v1.1).
            let message = ChatMessage(
                id: id, from: sender.phoneNumber, to: recipient, text: text, ts: ts, fromProperties: target == nil ? sender.info.properties : nil,
                nonce: nonce)
            var body: [UInt8] = []
            JSONWriter.write(.object(JSONObject(message.fields)), into: &body)
            if target == nil {
                let record = HistoryRecord(room: name, seq: seq, timestamp: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)), body: body)
                self.history?.append(record)
                writer?.append(record)
            } else {
                writer?.noteSeq(room: name, seq: seq)
            }
            // The live frame is the stored object with the type in front.
            var live = Array(#"{"type":"message","#.utf8)
            live.append(contentsOf: body.dropFirst())
            frame = TextFrame.encode(ByteBuffer(bytes: live))
        } else {
            let message = ChatMessage(id: "\(epoch)-\(nextMessage)", from: sender.phoneNumber, to: recipient, text: text, ts: ts, nonce: nonce)
            nextMessage += 1
            frame = TextFrame.encode(ByteBuffer(string: ServerFrame.message(message).encoded))
        }
        if let target {
            target.send(frame)
            if target !== sender { sender.send(frame) }
            metrics.messagesOut.increment(by: target === sender ? 1 : 2)
        } else {
            groups.broadcast(frame)
            metrics.messagesOut.increment(by: Int64(groups.memberCount))
        }
    }

    /// Answers a `history` request from `member` (room loop): from the newest messages kept here, or from the store,
    /// behind every message accepted before it. `answer` gets the frame's JSON, or nil for an unknown `before` id.
    func answerHistory(_ query: HistoryQuery, answer: @escaping @Sendable ([UInt8]?) -> Void) {
        eventLoop.preconditionInEventLoop()
        guard let history, let writer else {
            return answer(RoomHistory.pageFrame(bodies: [], more: false, query: query))
        }
        switch history.page(query) {
        case .ready(let frame):
            answer(frame)
        case .unknown:
            answer(nil)
        case .store(let before):
            let (room, store) = (name, writer.store)
            writer.perform {
                do {
                    let page = try store.page(room: room, before: before, limit: query.limit)
                    answer(RoomHistory.pageFrame(bodies: page.records.map(\.body), more: page.olderExist, query: query))
                } catch {
                    writer.logger.error(
                        "history: cannot read the store", metadata: ["store": "\(store.name)", "room": "\(room)", "error": "\(error)"])
                    answer(RoomHistory.pageFrame(bodies: [], more: false, query: query))
                }
            }
        }
    }

    /// The store pruned this room through `seq` (room loop).
    func historyPruned(through seq: Int64) {
        eventLoop.preconditionInEventLoop()
        history?.pruned(through: seq)
    }

    /// Ends every member's session and closes the room (gateway shutdown).
    func endAll(_ reason: CloseReason) {
        eventLoop.preconditionInEventLoop()
        flushPresence()
        closed = true
        for member in members.values { member.end(reason) }
    }
}
