import CoreMetrics
import Foundation
import NIOCore
import OzGateway
import OzProtocol

/// A node's copy of a cluster room, on one event loop. Changes are asked of PostgreSQL (`ClusterWriter`); nothing is
/// applied here until it is committed and comes back as an event, and events are applied strictly in the room's order
/// (`seq`), whichever node committed them. So every node shows the same order, a newcomer's snapshot is the member list
/// at the seq just before its own ONLINE, and a message is echoed to its sender only once it is committed.
final class ClusterRoom: ChatRoom, @unchecked Sendable {
    let name: String
    let eventLoop: any EventLoop
    private let node: ClusterNode
    private let budget: SnapshotBudget
    private let memberLimit: Int
    private let releaseNumber: @Sendable (String) -> Void
    private let metrics: GatewayMetrics

    // Room loop only.
    private var incarnation: Int64
    /// Every member online, on any node, by number.
    private var members: [String: ClusterRoomState.Entry] = [:]
    /// This node's members in the room, by number, with their sessions.
    private var local: [String: (member: Member, session: Int64)] = [:]
    private var groups = LoopGroups()
    /// Local logins waiting for their ONLINE to come back committed, by session.
    private var joining: [Int64: Member] = [:]
    /// The last seq applied; events arrive out of order or twice, and are applied once, in order.
    private var applied: Int64
    private var early: [Int64: ClusterEvent] = [:]
    /// The highest seq known to exist (from notifications); above `applied` means a read is due.
    private var known: Int64
    private var fetching = false
    private var pendingPresence = PresenceBatch()
    private var history: RoomHistory
    private var closed = false

    init(
        name: String, eventLoop: any EventLoop, node: ClusterNode, state: ClusterRoomState, incarnation: Int64, budget: SnapshotBudget,
        memberLimit: Int, metrics: GatewayMetrics, releaseNumber: @escaping @Sendable (String) -> Void
    ) {
        self.metrics = metrics
        self.name = name
        self.eventLoop = eventLoop
        self.node = node
        self.budget = budget
        self.memberLimit = memberLimit
        self.releaseNumber = releaseNumber
        self.incarnation = incarnation
        self.applied = state.seq
        self.known = state.seq
        self.history = RoomHistory(room: name, epoch: state.epoch, capacity: RoomHistory.maxResume, stored: state.stored)
        load(state)
    }

    private func load(_ state: ClusterRoomState) {
        members = Dictionary(state.members.map { ($0.number, $0) }) { _, newer in newer }
    }

    // MARK: ChatRoom

    func join(_ member: Member) {
        guard !closed else { return member.end(.shutdown) }
        guard node.isAvailable else { return refuse(member, TransientDenial.clusterStoreUnavailable) }
        let session = node.makeSession()
        joining[session] = member
        let request = JoinRequest(
            room: name, number: member.phoneNumber, drawn: member.numberIsDrawn, incarnation: incarnation, session: session,
            online: member.onlineJSON, offline: member.offlineJSON, memberLimit: memberLimit, memberListLimit: budget.memberListLimit,
            snapshotLimitText: SnapshotBudget.describe(budget.snapshotLimit))
        node.writer.submit(
            .join(request) { outcome in
                self.eventLoop.execute {
                    switch outcome {
                    case .joined: break  // its ONLINE event grants it
                    case .refused(let reason):
                        if self.joining.removeValue(forKey: session) != nil { self.refuse(member, reason) }
                    case .unavailable:
                        if self.joining.removeValue(forKey: session) != nil { self.refuse(member, TransientDenial.clusterStoreUnavailable) }
                    }
                }
            })
    }

    private func refuse(_ member: Member, _ reason: String) {
        if member.numberIsDrawn { releaseNumber(member.phoneNumber) }
        member.deny(reason)
    }

    func leave(_ member: Member) {
        if let (session, _) = joining.first(where: { $0.value === member }) {
            // Still waiting for its ONLINE: it leaves right after it (the writer keeps the order).
            joining[session] = nil
            node.writer.submit(.leave(room: name, number: member.phoneNumber, incarnation: incarnation, session: session))
            return
        }
        guard let mine = local[member.phoneNumber], mine.member === member else { return }
        removeLocal(member)
        node.writer.submit(.leave(room: name, number: member.phoneNumber, incarnation: incarnation, session: mine.session))
    }

    func post(from sender: Member, to recipient: String, text: String, nonce: String?) {
        guard let mine = local[sender.phoneNumber], mine.member === sender else { return }
        guard node.isAvailable else { return unavailable(sender, nonce: nonce) }
        let request = MessageRequest(
            room: name, number: sender.phoneNumber, incarnation: incarnation, session: mine.session, to: recipient, text: text, nonce: nonce,
            properties: sender.info.properties)
        let room = name
        node.writer.submit(
            .message(request) { outcome in
                switch outcome {
                case .accepted, .notMember: break  // the committed event is the echo
                case .unknownRecipient:
                    let error = ServerFrame.error(code: .unknownRecipient, message: "no member \(recipient) in room \(room)", nonce: nonce)
                    sender.send(TextFrame.encode(ByteBuffer(string: error.encoded)))
                case .unavailable:
                    self.unavailable(sender, nonce: nonce)
                }
            })
    }

    private func unavailable(_ sender: Member, nonce: String?) {
        let error = ServerFrame.error(code: .unavailable, message: "the cluster store is unavailable; the message was not sent", nonce: nonce)
        sender.send(TextFrame.encode(ByteBuffer(string: error.encoded)))
    }

    func answerHistory(_ query: HistoryQuery, answer: @escaping @Sendable ([UInt8]?) -> Void) {
        switch history.page(query) {
        case .ready(let frame): answer(frame)
        case .unknown: answer(nil)
        case .store(let before):
            node.page(room: name, before: before, limit: query.limit) { page in
                answer(RoomHistory.pageFrame(bodies: page?.bodies ?? [], more: page?.more ?? false, query: query))
            }
        }
    }

    func endAll(_ reason: CloseReason) {
        flushPresence()
        closed = true
        for (member, _) in local.values { member.end(reason) }
        for member in joining.values { member.end(reason) }
        joining = [:]
    }

    // MARK: events

    /// How soon a failed read of missing events is tried again.
    static let fetchRetry = TimeAmount.milliseconds(250)

    /// A notification: the room has reached `seq`.
    func heard(_ seq: Int64) {
        known = max(known, seq)
        catchUp()
    }

    /// Committed events (from this node's writer, or read back).
    func offer(_ events: [ClusterEvent]) {
        for event in events where event.seq > applied {
            early[event.seq] = event
            known = max(known, event.seq)
        }
        while let event = early.removeValue(forKey: applied + 1) {
            applied = event.seq
            apply(event)
        }
        flushPresence()
        catchUp()
    }

    /// Reads what is missing, one read at a time, until nothing newer exists.
    private func catchUp() {
        guard known > applied, !fetching, early[applied + 1] == nil else { return }
        fetching = true
        node.fetch(room: name, after: applied) { events in
            self.eventLoop.execute {
                self.fetching = false
                // A failed read is tried again shortly: waiting for the next notification could wait forever when the
                // members are all waiting for the echoes this read would bring.
                guard let events else {
                    self.eventLoop.scheduleTask(in: Self.fetchRetry) { self.catchUp() }
                    return
                }
                if events.isEmpty { self.known = self.applied }
                if let first = events.first, first.seq > self.applied + 1 {
                    return self.node.reload(room: self.name)
                }
                self.offer(events)
            }
        }
    }

    /// PostgreSQL is back and this node was not reaped: catch up (no notification says how far the room got), and
    /// record the leaves that could not be recorded while it was away.
    func reconnected() {
        node.writer.submit(.reconcile(room: name, incarnation: incarnation, live: Set(local.values.map(\.session))))
        known = .max
        catchUp()
    }

    /// This node was reaped while away: its sessions are gone from the cluster; end them and start again from `state`.
    func restart(from state: ClusterRoomState, incarnation: Int64) {
        for (member, _) in local.values { member.end(.shutdown) }
        for member in joining.values { member.end(.shutdown) }
        metrics.members.decrement(by: Double(local.count))
        local = [:]
        groups = LoopGroups()
        joining = [:]
        early = [:]
        pendingPresence.removeAll()
        self.incarnation = incarnation
        applied = state.seq
        known = state.seq
        history = RoomHistory(room: name, epoch: state.epoch, capacity: RoomHistory.maxResume, stored: state.stored)
        load(state)
        known = .max
        catchUp()
    }

    /// Events this node had not read were pruned: its members here are ended (they reconnect and resume), recorded as
    /// gone, and the room starts again from `state`.
    func reload(from state: ClusterRoomState) {
        restart(from: state, incarnation: incarnation)
        node.writer.submit(.reconcile(room: name, incarnation: incarnation, live: []))
    }

    private func apply(_ event: ClusterEvent) {
        history.noteSeq(event.seq)
        if event.incarnation != incarnation {
            let lag = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) - event.ts
            metrics.notifyLag.recordMilliseconds(max(0, lag))
        }
        switch event.kind {
        case .online:
            if event.incarnation == incarnation, let member = joining.removeValue(forKey: event.session) {
                grant(member, session: event.session, seq: event.seq)
            }
            members[event.number] = ClusterRoomState.Entry(
                number: event.number, incarnation: event.incarnation, session: event.session, joined: event.seq, online: event.body)
            metrics.presenceEvents.increment()
            pendingPresence.append(sequence: Int(event.seq), json: event.body)
        case .offline, .replaced:
            if let entry = members[event.number], entry.incarnation == event.incarnation, entry.session == event.session {
                members[event.number] = nil
            }
            if event.incarnation == incarnation, let mine = local[event.number], mine.session == event.session {
                removeLocal(mine.member)
                mine.member.end(event.kind == .replaced ? .replaced : .shutdown)
            }
            metrics.presenceEvents.increment()
            pendingPresence.append(sequence: Int(event.seq), json: event.body)
        case .message:
            flushPresence()
            history.append(HistoryRecord(room: name, seq: event.seq, timestamp: event.ts, body: event.body))
            var live = Array(#"{"type":"message","#.utf8)
            live.append(contentsOf: event.body.dropFirst())
            let frame = TextFrame.encode(ByteBuffer(bytes: live))
            groups.broadcast(frame)
            metrics.messagesOut.increment(by: Int64(groups.memberCount))
        case .privateMessage:
            flushPresence()
            var live = Array(#"{"type":"message","#.utf8)
            live.append(contentsOf: event.body.dropFirst())
            let frame = TextFrame.encode(ByteBuffer(bytes: live))
            let target = local[event.target]?.member
            target?.send(frame)
            if let sender = local[event.number], sender.session == event.session, sender.member !== target {
                sender.member.send(frame)
                metrics.messagesOut.increment()
            }
            if target != nil { metrics.messagesOut.increment() }
        }
    }

    /// A local login's ONLINE is committed at `seq`: its snapshot is everyone before it, then everything after.
    private func grant(_ member: Member, session: Int64, seq: Int64) {
        // Changes not yet flushed are already in `members`: the snapshot covers them.
        var frame: [UInt8] = []
        SnapshotBudget.writeHeader(number: member.phoneNumber, room: name, keepsHistory: true, into: &frame)
        var first = true
        for entry in members.values.sorted(by: { $0.joined < $1.joined }) {
            if !first { frame.append(UInt8(ascii: ",")) }
            first = false
            frame.append(contentsOf: entry.online)
        }
        frame.append(contentsOf: "]}".utf8)
        member.sendSnapshot(TextFrame.encode(ByteBuffer(bytes: frame)))
        if let answer = history.grantAnswer(member.recall) { member.send(TextFrame.encode(ByteBuffer(bytes: answer))) }
        if let previous = local[member.phoneNumber] { removeLocal(previous.member) }
        local[member.phoneNumber] = (member, session)
        groups.add(member)
        metrics.members.increment()
        member.joinSequence = Int(seq)
    }

    private func removeLocal(_ member: Member) {
        guard local[member.phoneNumber]?.member === member else { return }
        local[member.phoneNumber] = nil
        if member.numberIsDrawn { releaseNumber(member.phoneNumber) }
        groups.remove(member)
        metrics.members.decrement()
    }

    private func flushPresence() {
        pendingPresence.flush(to: groups)
    }
}
