import Foundation
import Logging

/// A gateway's message history: an opened store, what it held for each room at start, and the thread that writes to
/// it. Open it before the gateway (a store that cannot be read is an error at start, never an empty history) and hand
/// it to `GatewayConfiguration.history`; the gateway closes it at shutdown, after the last message is written.
public final class GatewayHistory: Sendable {
    public let retention: HistoryRetention
    /// What the store held for each served room at start.
    let stored: [String: StoredRoom]
    let writer: HistoryWriter
    /// How often pruning runs (in the background, on the store's thread).
    static let pruneInterval: TimeInterval = 60

    /// Loads each room's newest messages (up to 1,000) from `store`; throws what the store throws.
    public init(
        store: any MessageStore, rooms: [String], retention: HistoryRetention = .standard, metrics: GatewayMetrics = GatewayMetrics(),
        logger: Logger
    ) throws {
        self.retention = retention
        let newest = min(RoomHistory.maxResume, retention.messagesPerRoom)
        var stored: [String: StoredRoom] = [:]
        for room in rooms { stored[room] = try store.load(room: room, newest: newest) }
        self.stored = stored
        self.writer = HistoryWriter(store: store, metrics: metrics, logger: logger)
    }

    /// Writes what is pending and closes the store. The gateway calls it at shutdown; safe to call again.
    public func close() { writer.close() }

    /// Prunes every room now, on the store's thread; `pruned` gets each room whose records were removed.
    func prune(
        rooms: [String], now: Date = Date(), done: @escaping @Sendable () -> Void = {}, pruned: @escaping @Sendable (String, Int64) -> Void
    ) {
        let retention = self.retention
        let store = writer.store
        let cutoff = Int64((now.timeIntervalSince1970 - Double(retention.maxAgeDays) * 86_400) * 1000)
        writer.perform { [logger = writer.logger] in
            for room in rooms {
                do {
                    if let seq = try store.prune(room: room, keepNewest: retention.messagesPerRoom, olderThan: cutoff) { pruned(room, seq) }
                } catch {
                    logger.error("history: pruning failed", metadata: ["store": "\(store.name)", "room": "\(room)", "error": "\(error)"])
                }
            }
            done()
        }
    }
}
