import Foundation
import Logging
import NIOCore
import OzProtocol
import PostgresNIO

/// Commits a batch of operations in one transaction. Every room the batch touches is locked first, in name order (so
/// two nodes' batches never deadlock), by its counter row: each event then takes the room's next number, and the
/// numbers follow commit order. One `NOTIFY` per room tells the other nodes how far the room has got.
struct ClusterBatch {
    let connection: PostgresConnection
    let logger: Logger

    /// The room rows as locked: the last number given and the room's id epoch.
    private var rooms: [String: (seq: Int64, epoch: String)] = [:]
    private(set) var events: [ClusterEvent] = []
    /// Replies to make once the transaction has committed.
    private(set) var replies: [@Sendable () -> Void] = []

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `operations` in one transaction; returns the events committed and the replies to make.
    static func commit(_ operations: [ClusterOperation], on connection: PostgresConnection, logger: Logger) async throws -> (
        events: [ClusterEvent], replies: [@Sendable () -> Void]
    ) {
        var batch = ClusterBatch(connection: connection, logger: logger)
        try await connection.query("BEGIN", logger: logger)
        do {
            try await batch.lock(Set(operations.flatMap(\.rooms)).sorted())
            var index = 0
            while index < operations.count {
                if case .message(let first, _) = operations[index] {
                    // Consecutive messages to one room: one membership query for all of them.
                    var group: [(MessageRequest, @Sendable (MessageOutcome) -> Void)] = []
                    while index < operations.count, case .message(let request, let reply) = operations[index], request.room == first.room {
                        group.append((request, reply))
                        index += 1
                    }
                    try await batch.messages(group)
                } else {
                    try await batch.apply(operations[index])
                    index += 1
                }
            }
            try await batch.finish()
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        return (batch.events, batch.replies)
    }

    private mutating func lock(_ names: [String]) async throws {
        let rows = try await connection.query(
            "SELECT room, last_seq, epoch FROM oz_rooms WHERE room = ANY(\(names)) ORDER BY room FOR UPDATE", logger: logger)
        for try await (room, seq, epoch) in rows.decode((String, Int64, String).self) { rooms[room] = (seq, epoch) }
        for name in names where rooms[name] == nil { throw ClusterFailure("room \(name) has no row in oz_rooms") }
    }

    /// Adds an event at the room's next number.
    private mutating func add(
        _ kind: ClusterEvent.Kind, room: String, number: String, target: String = "", incarnation: Int64, session: Int64, ts: Int64,
        body: [UInt8]
    ) -> Int64 {
        let seq = rooms[room]!.seq + 1
        rooms[room]!.seq = seq
        events.append(
            ClusterEvent(
                room: room, seq: seq, kind: kind, number: number, target: target, incarnation: incarnation, session: session, ts: ts, body: body))
        return seq
    }

    private static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    private mutating func apply(_ operation: ClusterOperation) async throws {
        switch operation {
        case .join(let request, let reply):
            let outcome = try await join(request)
            replies.append { reply(outcome) }
        case .leave(let room, let number, let incarnation, let session):
            let rows = try await connection.query(
                """
                DELETE FROM oz_members WHERE number = \(number) AND room = \(room) AND incarnation = \(incarnation)
                AND session = \(session) RETURNING offline
                """, logger: logger)
            for try await offline in rows.decode(ByteBuffer.self) {
                _ = add(.offline, room: room, number: number, incarnation: incarnation, session: session, ts: Self.now, body: Array(buffer: offline))
            }
        case .reconcile(let room, let incarnation, let live):
            let rows = try await connection.query(
                """
                DELETE FROM oz_members WHERE room = \(room) AND incarnation = \(incarnation) AND NOT (session = ANY(\(Array(live))))
                RETURNING number, session, offline
                """, logger: logger)
            for try await (number, session, offline) in rows.decode((String, Int64, ByteBuffer).self) {
                _ = add(.offline, room: room, number: number, incarnation: incarnation, session: session, ts: Self.now, body: Array(buffer: offline))
            }
        case .reap(let incarnation, let rooms, let reply):
            var count = 0
            for room in rooms {
                let rows = try await connection.query(
                    """
                    DELETE FROM oz_members WHERE room = \(room) AND incarnation = \(incarnation)
                    RETURNING number, session, offline, joined
                    """, logger: logger)
                var gone: [(String, Int64, ByteBuffer, Int64)] = []
                for try await row in rows.decode((String, Int64, ByteBuffer, Int64).self) { gone.append(row) }
                // In the order they came, so every node announces them alike.
                for (number, session, offline, _) in gone.sorted(by: { $0.3 < $1.3 }) {
                    _ = add(
                        .offline, room: room, number: number, incarnation: incarnation, session: session, ts: Self.now, body: Array(buffer: offline))
                    count += 1
                }
            }
            try await connection.query("DELETE FROM oz_nodes WHERE incarnation = \(incarnation)", logger: logger)
            replies.append { [count] in reply(count) }
        case .message:
            preconditionFailure("messages are committed in groups")
        }
    }

    private mutating func join(_ request: JoinRequest) async throws -> JoinOutcome {
        let room = request.room
        var previous: (incarnation: Int64, session: Int64, offline: ByteBuffer, onlineBytes: Int64)?
        let existing = try await connection.query(
            "SELECT room, incarnation, session, offline, drawn, length(online)::int8 FROM oz_members WHERE number = \(request.number)",
            logger: logger)
        for try await (otherRoom, incarnation, session, offline, drawn, onlineBytes) in existing.decode(
            (String, Int64, Int64, ByteBuffer, Bool, Int64).self)
        {
            guard !request.drawn, !drawn, otherRoom == room else {
                // A drawn number that another node drew meanwhile (one chance in hundreds of millions).
                return .refused("the number drawn for you was taken meanwhile; connect again")
            }
            previous = (incarnation, session, offline, onlineBytes)
        }
        let totals = try await connection.query(
            "SELECT count(*)::int8, coalesce(sum(length(online) + 1), 0)::int8 FROM oz_members WHERE room = \(room)", logger: logger)
        var (count, listBytes): (Int64, Int64) = (0, 0)
        for try await row in totals.decode((Int64, Int64).self) { (count, listBytes) = row }
        if let previous { listBytes -= previous.onlineBytes + 1 }
        listBytes += Int64(request.online.count)
        if previous == nil, request.memberLimit > 0, count >= request.memberLimit {
            return .refused("the room \(room) is full (\(request.memberLimit) members)")
        }
        if listBytes > request.memberListLimit {
            return .refused("the room \(room) is full (\(count) members): its member list would pass the \(request.snapshotLimitText) snapshot limit")
        }
        let ts = Self.now
        if let previous {
            try await connection.query("DELETE FROM oz_members WHERE number = \(request.number)", logger: logger)
            _ = add(
                .replaced, room: room, number: request.number, incarnation: previous.incarnation, session: previous.session, ts: ts,
                body: Array(buffer: previous.offline))
        }
        let seq = add(
            .online, room: room, number: request.number, incarnation: request.incarnation, session: request.session, ts: ts, body: request.online)
        let inserted = try await connection.query(
            """
            INSERT INTO oz_members (number, room, incarnation, session, joined, drawn, online, offline)
            VALUES (\(request.number), \(room), \(request.incarnation), \(request.session), \(seq), \(request.drawn),
            \(ByteBuffer(bytes: request.online)), \(ByteBuffer(bytes: request.offline)))
            ON CONFLICT (number) DO NOTHING RETURNING joined
            """, logger: logger)
        var added = false
        for try await _ in inserted.decode(Int64.self) { added = true }
        guard added else {
            // Taken by a transaction on another room that committed while we looked: undo our event.
            events.removeLast()
            rooms[room]!.seq -= 1
            if previous != nil { throw ClusterFailure("an extension's number was taken in another room") }
            return .refused("the number drawn for you was taken meanwhile; connect again")
        }
        return .joined(seq: seq)
    }

    /// Messages to one room, in order: each from a current member, each private one to a current member of the room.
    private mutating func messages(_ group: [(MessageRequest, @Sendable (MessageOutcome) -> Void)]) async throws {
        let room = group[0].0.room
        var numbers = Set(group.map(\.0.number))
        for (request, _) in group where request.to != ClientFrame.room { numbers.insert(request.to) }
        var present: [String: (room: String, incarnation: Int64, session: Int64)] = [:]
        let rows = try await connection.query(
            "SELECT number, room, incarnation, session FROM oz_members WHERE number = ANY(\(Array(numbers)))", logger: logger)
        for try await (number, memberRoom, incarnation, session) in rows.decode((String, String, Int64, Int64).self) {
            present[number] = (memberRoom, incarnation, session)
        }
        let ts = Self.now
        let stamp = WireTimestamp.string(from: Date(timeIntervalSince1970: Double(ts) / 1000))
        for (request, reply) in group {
            guard let sender = present[request.number], sender.room == room, sender.incarnation == request.incarnation,
                sender.session == request.session
            else {
                replies.append { reply(.notMember) }
                continue
            }
            let isRoom = request.to == ClientFrame.room
            if !isRoom, present[request.to]?.room != room {
                replies.append { reply(.unknownRecipient) }
                continue
            }
            let seq = rooms[room]!.seq + 1
            let message = ChatMessage(
                id: "\(rooms[room]!.epoch)-\(seq)", from: request.number, to: request.to, text: request.text, ts: stamp,
                fromProperties: isRoom ? request.properties : nil, nonce: request.nonce)
            var body: [UInt8] = []
            JSONWriter.write(.object(JSONObject(message.fields)), into: &body)
            _ = add(
                isRoom ? .message : .privateMessage, room: room, number: request.number, target: isRoom ? "" : request.to,
                incarnation: request.incarnation, session: request.session, ts: ts, body: body)
            replies.append { reply(.accepted(seq: seq)) }
        }
    }

    /// Writes the events, moves the counters, and tells the listeners: one statement (its data-modifying parts run
    /// whether or not the rest reads them), so one round trip while the rooms are locked, not three.
    private func finish() async throws {
        guard !events.isEmpty else { return }
        var last: [String: Int64] = [:]
        for event in events { last[event.room] = event.seq }
        let names = Array(last.keys)
        let seqs = names.map { last[$0]! }
        try await connection.query(
            """
            WITH written AS (
                INSERT INTO oz_events (room, seq, kind, number, target, incarnation, session, ts, body)
                SELECT * FROM unnest(\(events.map(\.room)), \(events.map(\.seq)), \(events.map(\.kind.rawValue)), \(events.map(\.number)),
                \(events.map(\.target)), \(events.map(\.incarnation)), \(events.map(\.session)), \(events.map(\.ts)),
                \(events.map { ByteBuffer(bytes: $0.body) }))
            ), moved AS (
                UPDATE oz_rooms AS r SET last_seq = u.seq FROM unnest(\(names), \(seqs)) AS u(room, seq) WHERE r.room = u.room
            )
            SELECT pg_notify(\(ClusterNode.channel), u.seq::text || ' ' || u.room) FROM unnest(\(names), \(seqs)) AS u(room, seq)
            """, logger: logger)
    }
}

/// A cluster store failure with its reason.
package struct ClusterFailure: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
