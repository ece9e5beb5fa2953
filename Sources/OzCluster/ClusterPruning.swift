import Foundation
import Logging
import OzGateway
import PostgresNIO

/// Keeps `oz_events` bounded. Room messages are kept as `[history]` says (the newest `messages_per_room`, none older
/// than `max_age_days`), like a single gateway's store; the room's `floor` then says through which seq they are gone
/// (`since` an older id is incomplete). Presence and private-message events are only needed by a node catching up, so
/// they go once they are `eventAge` old: a node that far behind has been reaped and reloads the room instead (and a
/// node that finds a gap anyway reloads it too, see `ClusterRoom`). One node prunes at a time (a transaction-level
/// advisory lock in the two-key space, apart from the nodes' single-key locks).
enum ClusterPruning {
    /// The advisory lock's two keys: "oz" and pruning.
    static let lockKeys: (Int32, Int32) = (0x6F7A, 1)

    /// Prunes `rooms` in one transaction unless another node is pruning; returns the events deleted (nil: another node
    /// had the lock).
    static func prune(
        rooms: [String], retention: HistoryRetention, eventAge: Duration, now: Date = Date(), on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int64? {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let messageCutoff = nowMs - Int64(retention.maxAgeDays) * 86_400_000
        let eventCutoff = nowMs - eventAge.components.seconds * 1000
        let message = ClusterEvent.Kind.message.rawValue
        try await connection.query("BEGIN", logger: logger)
        do {
            var locked = false
            let lock = try await connection.query("SELECT pg_try_advisory_xact_lock(\(lockKeys.0), \(lockKeys.1))", logger: logger)
            for try await got in lock.decode(Bool.self) { locked = got }
            guard locked else {
                try await connection.query("COMMIT", logger: logger)
                return nil
            }
            var deleted: Int64 = 0
            var floors: [String: Int64] = [:]
            for room in rooms {
                // The newest `messagesPerRoom` messages stay, and none older than the cutoff.
                let messages = try await connection.query(
                    """
                    WITH keep AS (
                        SELECT coalesce(min(seq), 9223372036854775807) AS first FROM (
                            SELECT seq FROM oz_events WHERE room = \(room) AND kind = \(message)
                            ORDER BY seq DESC LIMIT \(retention.messagesPerRoom)) newest
                    ), gone AS (
                        DELETE FROM oz_events WHERE room = \(room) AND kind = \(message)
                        AND (seq < (SELECT first FROM keep) OR ts < \(messageCutoff)) RETURNING seq
                    )
                    SELECT count(*)::int8, coalesce(max(seq), 0)::int8 FROM gone
                    """, logger: logger)
                var (count, through): (Int64, Int64) = (0, 0)
                for try await row in messages.decode((Int64, Int64).self) { (count, through) = row }
                if through > 0 { floors[room] = through }
                let others = try await connection.query(
                    """
                    WITH gone AS (DELETE FROM oz_events WHERE room = \(room) AND kind <> \(message) AND ts < \(eventCutoff) RETURNING 1)
                    SELECT count(*)::int8 FROM gone
                    """, logger: logger)
                for try await other in others.decode(Int64.self) { count += other }
                deleted += count
            }
            // Last, just before the commit: the room rows are the writers' locks, held here only that long.
            for (room, through) in floors.sorted(by: { $0.key < $1.key }) {
                try await connection.query("UPDATE oz_rooms SET floor = greatest(floor, \(through)) WHERE room = \(room)", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            return deleted
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
