import CoreMetrics
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OzGateway
import PostgresNIO

/// A gateway node of a cluster: its link to PostgreSQL, which keeps the rooms, and through which it hears the other
/// nodes (LISTEN/NOTIFY). Three connections: the listener (which also holds the node's advisory lock: PostgreSQL frees
/// it the moment this node's connection drops, which is how the others know it died), the writer (batched
/// transactions, see `ClusterWriter`), and the reader (catching up, history pages, the reaper's lock probes).
package final class ClusterNode: RoomProvider, Sendable {
    /// The NOTIFY channel: payload `SEQ ROOM`, the room's newest number after a commit.
    static let channel = "oz_events"

    /// Tuning, with the defaults a deployment uses.
    package struct Settings: Sendable {
        /// How soon a dead node's members are announced OFFLINE, at most; and how long a node must itself have been
        /// connected before it reaps anyone (so an outage of PostgreSQL never turns into a mass OFFLINE).
        package var timeout: TimeAmount = .seconds(5)
        /// How often a node looks for dead ones.
        package var reapInterval: TimeAmount = .seconds(1)
        /// What `[history]` keeps of each room's messages.
        package var retention = HistoryRetention.standard
        /// How often old events are pruned (see `ClusterPruning`), and how old presence events may grow.
        package var pruneInterval: Duration = .seconds(60)
        package var eventAge: Duration = .seconds(3600)
        package init() {}
    }

    let location: ClusterLocation
    package let nodeID: String
    let settings: Settings
    let logger: Logger
    let lines: [String]
    let writer: ClusterWriter
    /// The store-write timer, the reaper's counters (the rooms count into the gateway's `GatewayConfiguration.metrics`).
    let metrics: GatewayMetrics
    private let group: any EventLoopGroup

    private struct Links {
        var listener: PostgresConnection?
        var reader: PostgresConnection?
        var writer: PostgresConnection?
        var incarnation: Int64 = 0
        /// When this node's connections came up (nil: down).
        var connectedAt: NIODeadline?
        var rooms: [String: ClusterRoom] = [:]
        /// Room states loaded before the gateway built its rooms.
        var loaded: [String: ClusterRoomState] = [:]
        var stopping = false
        /// `gatewayClosed` has begun.
        var closing = false
    }

    private let links = NIOLockedValueBox(Links())
    private let nextSession = NIOLockedValueBox(Int64(0))
    private let tasks = NIOLockedValueBox([Task<Void, Never>]())

    private init(
        location: ClusterLocation, nodeID: String, lines: [String], settings: Settings, group: any EventLoopGroup, metrics: GatewayMetrics,
        logger: Logger
    ) {
        self.metrics = metrics
        self.location = location
        self.nodeID = nodeID
        self.lines = lines.sorted()
        self.settings = settings
        self.group = group
        self.logger = logger
        let box = NIOLockedValueBox<ClusterNode?>(nil)
        self.writer = ClusterWriter(
            logger: logger, metrics: metrics, committed: { events in box.withLockedValue { $0 }?.deliver(events) },
            lost: { error in box.withLockedValue { $0 }?.connectionLost(error) })
        box.withLockedValue { $0 = self }
    }

    /// Connects, prepares the schema and the rooms, registers this node, and loads every room. Throws when PostgreSQL
    /// cannot be reached or its schema is newer than this build.
    package static func start(
        location: ClusterLocation, nodeID: String, lines: [String], settings: Settings = Settings(), metrics: GatewayMetrics = GatewayMetrics(),
        logger: Logger
    ) async throws -> ClusterNode {
        let node = ClusterNode(
            location: location, nodeID: nodeID, lines: lines, settings: settings, group: MultiThreadedEventLoopGroup.singleton, metrics: metrics,
            logger: logger)
        try await PostgresDeadline.run("connecting", within: .seconds(30)) { try await node.connect(firstTime: true) }
        let task = Task { await node.writer.run() }
        let supervisor = Task { await node.supervise() }
        let reaper = Task { await node.reapLoop() }
        let pruner = Task { await node.pruneLoop() }
        node.tasks.withLockedValue { $0 = [task, supervisor, reaper, pruner] }
        return node
    }

    /// This node's current incarnation.
    package var incarnation: Int64 { links.withLockedValue { $0.incarnation } }

    /// Whether the node can take logins and messages now.
    package var isAvailable: Bool { links.withLockedValue { $0.connectedAt != nil && !$0.stopping } }

    package var unavailableReason: String? {
        links.withLockedValue { $0.stopping ? "leaving the cluster" : ($0.connectedAt == nil ? "cluster store unavailable" : nil) }
    }

    func makeSession() -> Int64 {
        nextSession.withLockedValue {
            $0 += 1
            return $0
        }
    }

    // MARK: connecting

    private func open(_ purpose: Int) async throws -> PostgresConnection {
        try await PostgresConnection.connect(on: group.next(), configuration: try location.configuration(), id: purpose, logger: logger).get()
    }

    /// Opens the three connections; registers (again, when this node was reaped meanwhile, or on the first time) and
    /// takes the node's lock; then lets every room catch up.
    private func connect(firstTime: Bool) async throws {
        var opened: [PostgresConnection] = []
        do {
            let listener = try await open(1)
            opened.append(listener)
            let reader = try await open(2)
            opened.append(reader)
            let writerConnection = try await open(3)
            opened.append(writerConnection)
            if firstTime {
                try await ClusterSchema.prepare(writerConnection, logger: logger)
                for line in lines {
                    let epoch = String((0..<4).map { _ in "abcdefghijkmnpqrstuvwxyz23456789".randomElement()! })
                    try await writerConnection.query(
                        "INSERT INTO oz_rooms (room, epoch) VALUES (\(line), \(epoch)) ON CONFLICT (room) DO NOTHING", logger: logger)
                }
            }
            var incarnation = links.withLockedValue { $0.incarnation }
            var reaped = firstTime
            if !firstTime {
                let rows = try await listener.query("SELECT count(*)::int8 FROM oz_nodes WHERE incarnation = \(incarnation)", logger: logger)
                for try await count in rows.decode(Int64.self) { reaped = count == 0 }
            }
            if reaped {
                let rows = try await listener.query("SELECT nextval('oz_incarnations')", logger: logger)
                for try await value in rows.decode(Int64.self) { incarnation = value }
                try await listener.query("INSERT INTO oz_nodes (incarnation, node) VALUES (\(incarnation), \(nodeID))", logger: logger)
            }
            try await listener.query("SELECT pg_advisory_lock(\(incarnation))", logger: logger)
            listener.addListener(channel: Self.channel) { [weak self] _, notification in self?.notified(notification.payload) }
            try await listener.query("LISTEN oz_events", logger: logger)
            var states: [String: ClusterRoomState] = [:]
            if reaped {
                for line in lines {
                    states[line] = try await ClusterRoomState.load(room: line, newest: RoomHistory.maxResume, on: reader, logger: logger)
                }
            }
            let rooms = links.withLockedValue { links in
                links.listener = listener
                links.reader = reader
                links.writer = writerConnection
                links.incarnation = incarnation
                links.connectedAt = .now()
                if reaped { links.loaded = states }
                return links.rooms
            }
            writer.use(writerConnection)
            logger.notice(
                firstTime ? "cluster: registered" : (reaped ? "cluster: this node was reaped meanwhile; registered again" : "cluster: reconnected"),
                metadata: ["node": "\(nodeID)", "incarnation": "\(incarnation)", "postgres": "\(location)"])
            let newIncarnation = incarnation
            for (name, room) in rooms {
                if reaped, let state = states[name] {
                    room.eventLoop.execute { room.restart(from: state, incarnation: newIncarnation) }
                } else {
                    room.eventLoop.execute { room.reconnected() }
                }
            }
        } catch {
            for connection in opened { try? await connection.close() }
            throw error
        }
    }

    /// Watches the listener; when it drops, the node is unavailable until it has reconnected (with backoff).
    private func supervise() async {
        while !Task.isCancelled {
            guard let listener = links.withLockedValue({ $0.listener }) else { return }
            _ = try? await listener.closeFuture.get()
            if links.withLockedValue({ $0.stopping }) { return }
            connectionLost(ClusterFailure("the listener's connection closed"))
            var delay = 0.25
            while !Task.isCancelled, !links.withLockedValue({ $0.stopping }) {
                do {
                    try await PostgresDeadline.run("reconnecting", within: .seconds(30)) { try await self.connect(firstTime: false) }
                    break
                } catch {
                    logger.warning(
                        "cluster: cannot reach PostgreSQL; retrying", metadata: ["in_s": "\(delay)", "error": "\(String(reflecting: error))"])
                    try? await Task.sleep(for: .seconds(delay))
                    delay = min(delay * 2, 5)
                }
            }
        }
    }

    /// A connection failed: every connection is closed, and the node is unavailable until `supervise` reconnects.
    func connectionLost(_ error: any Error) {
        let closing = links.withLockedValue { links -> [PostgresConnection] in
            guard links.connectedAt != nil else { return [] }
            links.connectedAt = nil
            defer { (links.listener, links.reader, links.writer) = (nil, nil, nil) }
            return [links.listener, links.reader, links.writer].compactMap { $0 }
        }
        guard !closing.isEmpty else { return }
        logger.error("cluster: lost PostgreSQL; no logins or messages until it is back", metadata: ["error": "\(String(reflecting: error))"])
        writer.use(nil)
        Task { for connection in closing { try? await connection.close() } }
    }

    // MARK: events

    private func notified(_ payload: String) {
        guard let space = payload.firstIndex(of: " "), let seq = Int64(payload[..<space]) else { return }
        let name = String(payload[payload.index(after: space)...])
        guard let room = links.withLockedValue({ $0.rooms[name] }) else { return }
        room.eventLoop.execute { room.heard(seq) }
    }

    /// Events this node committed: handed to their rooms at once, without waiting for the notification.
    private func deliver(_ events: [ClusterEvent]) {
        var byRoom: [String: [ClusterEvent]] = [:]
        for event in events { byRoom[event.room, default: []].append(event) }
        let rooms = links.withLockedValue { $0.rooms }
        for (name, events) in byRoom {
            guard let room = rooms[name] else { continue }
            room.eventLoop.execute { room.offer(events) }
        }
    }

    /// Reads a room's events after `seq` and hands them to `done` (nil when the read failed).
    func fetch(room: String, after seq: Int64, done: @escaping @Sendable ([ClusterEvent]?) -> Void) {
        read("reading events", failure: "cluster: cannot read events", room: room, done: done) { reader, logger in
            try await ClusterRoomState.events(room: room, after: seq, limit: 5000, on: reader, logger: logger)
        }
    }

    /// Reads a page of stored messages (nil when the read failed).
    func page(room: String, before: Int64, limit: Int, done: @escaping @Sendable ((bodies: [[UInt8]], more: Bool)?) -> Void) {
        read("reading history", failure: "cluster: cannot read history", room: room, done: done) { reader, logger in
            try await ClusterRoomState.page(room: room, before: before, limit: limit, on: reader, logger: logger)
        }
    }

    /// Runs `body` on the reader connection within `PostgresDeadline` and hands `done` its result: nil without a reader,
    /// or when the read failed (logged as `failure`).
    private func read<T: Sendable>(
        _ what: String, failure: Logger.Message, room: String, done: @escaping @Sendable (T?) -> Void,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) {
        guard let reader = links.withLockedValue({ $0.reader }) else { return done(nil) }
        let logger = self.logger
        Task {
            do {
                done(try await PostgresDeadline.run(what) { try await body(reader, logger) })
            } catch {
                logger.warning(failure, metadata: ["room": "\(room)", "error": "\(String(reflecting: error))"])
                done(nil)
            }
        }
    }

    // MARK: reaping

    /// Every `reapInterval`, once connected for `timeout`: any other node whose lock is free is dead; its members leave.
    private func reapLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .nanoseconds(settings.reapInterval.nanoseconds))
            let (reader, connectedAt, me) = links.withLockedValue { ($0.reader, $0.connectedAt, $0.incarnation) }
            guard let reader, let connectedAt, NIODeadline.now() - connectedAt >= settings.timeout else { continue }
            metrics.reaperRuns.increment()
            do {
                let logger = self.logger
                let others = try await PostgresDeadline.run("listing nodes") {
                    var others: [Int64] = []
                    let rows = try await reader.query("SELECT incarnation FROM oz_nodes WHERE incarnation <> \(me)", logger: logger)
                    for try await incarnation in rows.decode(Int64.self) { others.append(incarnation) }
                    return others
                }
                for other in others {
                    let free = try await PostgresDeadline.run("probing a node's lock") {
                        var free = false
                        let probe = try await reader.query("SELECT pg_try_advisory_lock(\(other))", logger: logger)
                        for try await got in probe.decode(Bool.self) { free = got }
                        return free
                    }
                    guard free else { continue }
                    let count = await withCheckedContinuation { (done: CheckedContinuation<Int, Never>) in
                        writer.submit(.reap(incarnation: other, rooms: lines, reply: { done.resume(returning: $0) }))
                    }
                    _ = try await PostgresDeadline.run("unlocking a node's lock") {
                        try await reader.query("SELECT pg_advisory_unlock(\(other))", logger: logger)
                    }
                    metrics.reapedNodes.increment()
                    logger.notice("cluster: reaped a dead node", metadata: ["incarnation": "\(other)", "members": "\(count)"])
                }
            } catch {
                logger.warning("cluster: the reaper could not look", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Every `pruneInterval` (the first time at once): old events go (`ClusterPruning`), and each room learns its new
    /// floor when messages went.
    private func pruneLoop() async {
        while !Task.isCancelled {
            if let reader = links.withLockedValue({ $0.connectedAt == nil ? nil : $0.reader }) {
                let (lines, settings, logger) = (self.lines, self.settings, self.logger)
                do {
                    let deleted = try await PostgresDeadline.run("pruning", within: .seconds(60)) {
                        try await ClusterPruning.prune(
                            rooms: lines, retention: settings.retention, eventAge: settings.eventAge, on: reader, logger: logger)
                    }
                    if let deleted, deleted > 0 { logger.info("cluster: pruned old events", metadata: ["events": "\(deleted)"]) }
                } catch {
                    logger.warning("cluster: pruning failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            try? await Task.sleep(for: settings.pruneInterval)
        }
    }

    /// A room found events missing below what it has not read yet (pruned before it caught up): it starts again from
    /// the room's state now.
    func reload(room name: String) {
        guard let room = links.withLockedValue({ $0.rooms[name] }) else { return }
        logger.error("cluster: events were pruned before this node read them; reloading the room", metadata: ["room": "\(name)"])
        let restart: @Sendable (ClusterRoomState?) -> Void = { state in
            if let state { room.eventLoop.execute { room.reload(from: state) } }
        }
        read("reloading a room", failure: "cluster: cannot reload a room", room: name, done: restart) { reader, logger in
            try await ClusterRoomState.load(room: name, newest: RoomHistory.maxResume, on: reader, logger: logger)
        }
    }

    // MARK: RoomProvider

    package func makeRooms(_ setup: RoomSetup) -> [String: any ChatRoom] {
        let (loaded, incarnation) = links.withLockedValue { ($0.loaded, $0.incarnation) }
        var rooms: [String: ClusterRoom] = [:]
        for line in lines {
            guard let state = loaded[line], let budget = setup.budgets[line] else { continue }
            rooms[line] = ClusterRoom(
                name: line, eventLoop: setup.group.next(), node: self, state: state, incarnation: incarnation, budget: budget,
                memberLimit: setup.configuration.limits.maxMembersPerRoom, metrics: setup.configuration.metrics,
                releaseNumber: setup.releaseNumber)
        }
        links.withLockedValue {
            $0.rooms = rooms
            $0.loaded = [:]
        }
        // Anything committed between the load and now.
        for room in rooms.values { room.eventLoop.execute { room.reconnected() } }
        return rooms
    }

    /// The gateway has closed every connection: this node's members leave every room, its row goes, and the
    /// connections close.
    package func gatewayClosed() async {
        // Once: the gateway calls it at shutdown, and ozgate's service group again when it ends.
        let (first, available) = links.withLockedValue { links in
            defer { links.closing = true }
            return (!links.closing, links.connectedAt != nil && !links.stopping)
        }
        guard first else { return }
        let me = incarnation
        if available {
            _ = await withCheckedContinuation { (done: CheckedContinuation<Int, Never>) in
                writer.submit(.reap(incarnation: me, rooms: lines, reply: { done.resume(returning: $0) }))
            }
        }
        let connections = links.withLockedValue { links -> [PostgresConnection] in
            links.stopping = true
            links.connectedAt = nil
            defer { (links.listener, links.reader, links.writer) = (nil, nil, nil) }
            return [links.listener, links.reader, links.writer].compactMap { $0 }
        }
        writer.use(nil)
        for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        writer.wake()
        for connection in connections { try? await connection.close() }
        logger.notice("cluster: left", metadata: ["node": "\(nodeID)", "incarnation": "\(me)"])
    }
}
