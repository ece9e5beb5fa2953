import CoreMetrics
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOWebSocket
import OzProtocol

/// The state every connection shares: configuration, rooms, numbers, the password-hashing pool, and the live connections
/// (for graceful shutdown).
final class GatewayCore: Sendable {
    let configuration: GatewayConfiguration
    let rooms: [String: any ChatRoom]
    let numbers: NumberRegistry
    let threadPool: NIOThreadPool
    let logger: Logger
    let admission: AdmissionControl
    /// Bounds the extension logins waiting for `threadPool`.
    let passwordChecks: PasswordCheckQueue
    private let pruneTask: RepeatedTask?
    /// The history, when its retention keeps any.
    let history: GatewayHistory?
    private let connections = NIOLockedValueBox([Int: (channel: any Channel, handler: NIOLoopBound<ConnectionHandler>)]())
    private let nextID = NIOLockedValueBox(0)

    init(configuration: GatewayConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.admission = AdmissionControl(limits: configuration.limits)
        self.passwordChecks = PasswordCheckQueue(capacity: configuration.limits.maxPendingPasswordChecks, logger: logger)
        let numbers = NumberRegistry(reserved: Set(configuration.directory.extensions.keys))
        self.numbers = numbers
        var rooms: [String: any ChatRoom] = [:]
        // Drawn numbers are 5 characters; an extension's is its own.
        let longestNumber = configuration.directory.extensions.keys.map(SnapshotBudget.jsonBytes).reduce(SnapshotBudget.jsonBytes("XXXXX"), max)
        let history = configuration.history.flatMap { $0.retention.keepsHistory ? $0 : nil }
        self.history = history
        var budgets: [String: SnapshotBudget] = [:]
        for line in configuration.directory.lines {
            budgets[line.name] = SnapshotBudget(snapshotLimit: configuration.limits.maxSnapshotBytes, room: line.name, longestNumber: longestNumber)
        }
        for line in configuration.directory.lines where configuration.roomProvider == nil {
            let budget = budgets[line.name]!
            let roomHistory = history.map {
                RoomHistory(
                    room: line.name, epoch: $0.writer.store.epoch, capacity: min(RoomHistory.maxResume, $0.retention.messagesPerRoom),
                    stored: $0.stored[line.name] ?? StoredRoom())
            }
            rooms[line.name] = Room(
                name: line.name, eventLoop: group.next(), presenceWindow: configuration.presenceWindow,
                memberLimit: configuration.limits.maxMembersPerRoom, snapshotBudget: budget, history: roomHistory, writer: history?.writer,
                metrics: configuration.metrics
            ) { numbers.release($0) }
        }
        if let provider = configuration.roomProvider {
            rooms = provider.makeRooms(
                RoomSetup(group: group, configuration: configuration, budgets: budgets, releaseNumber: { numbers.release($0) }, logger: logger))
        }
        self.rooms = rooms
        configuration.metrics.rooms.set(rooms.count)
        if history != nil {
            // Pruning in the background: once at start, then every minute, on the store's thread.
            let interval = TimeAmount.seconds(Int64(GatewayHistory.pruneInterval))
            pruneTask = group.next().scheduleRepeatedTask(initialDelay: .zero, delay: interval) { [rooms] _ in
                Self.pruneHistory(history, rooms: rooms)
            }
        } else {
            pruneTask = nil
        }
        if let note = RoomCapacity(limits: configuration.limits, longestNumber: longestNumber).note {
            logger.notice("room limits", metadata: ["note": "\(note)"])
        }
        self.threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
    }

    /// Prunes every room's stored history now (in the background, on the store's thread) and tells each room what
    /// left its store. `done` runs on the store's thread after the pass.
    static func pruneHistory(_ history: GatewayHistory?, rooms: [String: any ChatRoom], done: @escaping @Sendable () -> Void = {}) {
        guard let history else { return done() }
        history.prune(rooms: Array(rooms.keys), done: done) { name, seq in
            guard let room = rooms[name] as? Room else { return }
            room.eventLoop.execute { room.historyPruned(through: seq) }
        }
    }

    /// A new connection id, for log lines.
    func makeConnectionID() -> Int {
        nextID.withLockedValue {
            $0 += 1
            return $0
        }
    }

    func register(_ handler: ConnectionHandler, id: Int, channel: any Channel) {
        let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        connections.withLockedValue { $0[id] = (channel, bound) }
        configuration.metrics.connections.increment()
    }

    func unregister(id: Int) {
        if connections.withLockedValue({ $0.removeValue(forKey: id) }) != nil { configuration.metrics.connections.decrement() }
    }

    /// Number of open WebSocket connections.
    var connectionCount: Int { connections.withLockedValue { $0.count } }

    /// Tells every connection the gateway is going away: granted sessions get `CONNECTION_CLOSED` reason `shutdown`.
    /// Returns when every connection has closed, or after the close grace period.
    func closeAll() async {
        // Rooms first, so members are told `shutdown` without a flurry of OFFLINE notices about each other.
        for room in rooms.values {
            try? await room.eventLoop.submit { room.endAll(.shutdown) }.get()
        }
        let open = connections.withLockedValue { Array($0.values) }
        for connection in open {
            connection.channel.eventLoop.execute {
                let handler = connection.handler.value
                if case .granted = handler.state {
                    handler.endReason = "gateway shutdown"
                    handler.endSession(.shutdown)
                } else {
                    handler.closeWebSocket(code: .goingAway, reason: "shutdown")
                }
            }
        }
        for connection in open {
            _ = try? await connection.channel.closeFuture.get()
        }
        await configuration.roomProvider?.gatewayClosed()
        // Every accepted message is queued for the store by now: write them, then close it.
        pruneTask?.cancel()
        if let history = configuration.history {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    history.close()
                    done.resume()
                }
            }
        }
    }
}
