import Logging
import PostgresNIO

/// The cluster's tables in PostgreSQL, versioned. Every node calls `prepare` at start: it creates the tables or
/// migrates them to this build's version, one node at a time (a transaction-scoped advisory lock), and refuses a schema
/// newer than this build knows rather than write to tables it does not understand.
public enum ClusterSchema {
    /// The version this build creates and understands.
    public static let version = 1

    /// The advisory lock key that serialises migrations (any constant no other user of the database takes).
    static let migrationLock: Int64 = 0x6F7A_6761_7465  // "ozgate"

    /// The statements that take a schema from version `n - 1` to `n`, by `n`.
    static let migrations: [Int: [String]] = [
        1: [
            "CREATE TABLE oz_schema (version integer NOT NULL)",
            "INSERT INTO oz_schema (version) VALUES (0)",
            // A node's incarnation: a new one every time a node registers (at start, and after it was reaped). The
            // node holds a session-level advisory lock on its incarnation while it lives.
            "CREATE SEQUENCE oz_incarnations",
            "CREATE TABLE oz_nodes (incarnation bigint PRIMARY KEY, node text NOT NULL, started timestamptz NOT NULL DEFAULT now())",
            // One row per room: its order (the counter every room event takes in its transaction, so that the
            // numbers follow commit order), the epoch its message ids start with, and the highest seq pruned.
            """
            CREATE TABLE oz_rooms (room text PRIMARY KEY, epoch text NOT NULL, last_seq bigint NOT NULL DEFAULT 0,
            floor bigint NOT NULL DEFAULT 0)
            """,
            // Who is online, on which node: a number is in one room at a time, cluster-wide.
            """
            CREATE TABLE oz_members (number text PRIMARY KEY, room text NOT NULL, incarnation bigint NOT NULL,
            session bigint NOT NULL, joined bigint NOT NULL, drawn boolean NOT NULL, online bytea NOT NULL,
            offline bytea NOT NULL)
            """,
            "CREATE INDEX oz_members_room ON oz_members (room, joined)",
            "CREATE INDEX oz_members_incarnation ON oz_members (incarnation)",
            // Every room event in the room's order: presence, room messages (the stored history) and private
            // messages. Nodes apply them by seq; a node that missed notifications reads what it missed from here.
            """
            CREATE TABLE oz_events (room text NOT NULL, seq bigint NOT NULL, kind smallint NOT NULL, number text NOT NULL,
            target text NOT NULL, incarnation bigint NOT NULL, session bigint NOT NULL, ts bigint NOT NULL,
            body bytea NOT NULL, PRIMARY KEY (room, seq))
            """,
        ]
    ]

    /// Why the schema cannot be used.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Creates or migrates the tables to `version`; returns the version found before (0: none).
    @discardableResult
    public static func prepare(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        do {
            return try await migrate(connection, logger: logger)
        } catch let error as PostgresTransactionError {
            // The transaction was rolled back; our own refusal is the error to report, not its wrapping.
            if let failure = error.closureError as? Failure { throw failure }
            throw error
        }
    }

    private static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            let found = try await currentVersion(connection, logger: logger)
            guard found <= version else {
                throw Failure(description: "the cluster's schema is version \(found); this ozgate knows versions up to \(version): upgrade it")
            }
            for next in (found + 1)..<(version + 1) {
                for statement in migrations[next] ?? [] { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("UPDATE oz_schema SET version = \(next)", logger: logger)
                logger.info("cluster schema migrated", metadata: ["version": "\(next)"])
            }
            return found
        }
    }

    /// The schema's version in the database (0 when the tables do not exist yet).
    public static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let exists = try await connection.query("SELECT to_regclass('oz_schema') IS NOT NULL", logger: logger)
        for try await (present) in exists.decode(Bool.self) where !present { return 0 }
        let rows = try await connection.query("SELECT version FROM oz_schema", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }
}
