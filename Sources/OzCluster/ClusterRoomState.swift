import NIOCore
import OzGateway
import PostgresNIO

/// A room as PostgreSQL has it at one seq: what a node's copy of the room starts from (at start, and after the node
/// was reaped and came back under a new incarnation).
package struct ClusterRoomState: Sendable {
    /// One online member, on any node.
    package struct Entry: Sendable {
        package var number: String
        package var incarnation: Int64
        package var session: Int64
        package var joined: Int64
        package var online: [UInt8]
    }

    package var seq: Int64
    package var epoch: String
    package var members: [Entry]
    /// The newest room messages, oldest first, as history records.
    package var stored: StoredRoom

    /// Reads a room in one snapshot (REPEATABLE READ): its number, members and newest messages agree with each other.
    static func load(room: String, newest: Int, on connection: PostgresConnection, logger: Logger) async throws -> ClusterRoomState {
        try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        do {
            var state = ClusterRoomState(seq: 0, epoch: "", members: [], stored: StoredRoom())
            var floor: Int64 = 0
            let rows = try await connection.query("SELECT last_seq, epoch, floor FROM oz_rooms WHERE room = \(room)", logger: logger)
            for try await (seq, epoch, roomFloor) in rows.decode((Int64, String, Int64).self) {
                (state.seq, state.epoch, floor) = (seq, epoch, roomFloor)
            }
            guard !state.epoch.isEmpty else { throw ClusterFailure("room \(room) has no row in oz_rooms") }
            let members = try await connection.query(
                "SELECT number, incarnation, session, joined, online FROM oz_members WHERE room = \(room) ORDER BY joined",
                logger: logger)
            for try await (number, incarnation, session, joined, online) in members.decode(
                (String, Int64, Int64, Int64, ByteBuffer).self)
            {
                state.members.append(
                    Entry(
                        number: number, incarnation: incarnation, session: session, joined: joined, online: Array(buffer: online)))
            }
            let messages = try await connection.query(
                """
                SELECT seq, ts, body FROM oz_events WHERE room = \(room) AND kind = \(ClusterEvent.Kind.message.rawValue)
                ORDER BY seq DESC LIMIT \(newest + 1)
                """, logger: logger)
            var records: [HistoryRecord] = []
            for try await (seq, ts, body) in messages.decode((Int64, Int64, ByteBuffer).self) {
                records.append(HistoryRecord(room: room, seq: seq, timestamp: ts, body: Array(buffer: body)))
            }
            let olderExist = records.count > newest
            state.stored = StoredRoom(records: records.prefix(newest).reversed(), olderExist: olderExist, floor: floor, lastSeq: state.seq)
            try await connection.query("COMMIT", logger: logger)
            return state
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The events after `seq`, in order (at most `limit`).
    static func events(room: String, after seq: Int64, limit: Int, on connection: PostgresConnection, logger: Logger) async throws
        -> [ClusterEvent]
    {
        let rows = try await connection.query(
            """
            SELECT seq, kind, number, target, incarnation, session, ts, body FROM oz_events
            WHERE room = \(room) AND seq > \(seq) ORDER BY seq LIMIT \(limit)
            """, logger: logger)
        var events: [ClusterEvent] = []
        for try await (seq, kind, number, target, incarnation, session, ts, body) in rows.decode(
            (Int64, Int16, String, String, Int64, Int64, Int64, ByteBuffer).self)
        {
            guard let kind = ClusterEvent.Kind(rawValue: kind) else { throw ClusterFailure("unknown event kind \(kind) at \(room) \(seq)") }
            events.append(
                ClusterEvent(
                    room: room, seq: seq, kind: kind, number: number, target: target, incarnation: incarnation, session: session, ts: ts,
                    body: Array(buffer: body)))
        }
        return events
    }

    /// Stored room messages below `before`, oldest first, and whether older ones exist.
    static func page(room: String, before: Int64, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> (
        bodies: [[UInt8]], more: Bool
    ) {
        let rows = try await connection.query(
            """
            SELECT body FROM oz_events WHERE room = \(room) AND kind = \(ClusterEvent.Kind.message.rawValue) AND seq < \(before)
            ORDER BY seq DESC LIMIT \(limit + 1)
            """, logger: logger)
        var bodies: [[UInt8]] = []
        for try await body in rows.decode(ByteBuffer.self) { bodies.append(Array(buffer: body)) }
        let more = bodies.count > limit
        return (bodies.prefix(limit).reversed(), more)
    }
}
