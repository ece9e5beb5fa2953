import Logging
import NIOPosix
import OzCluster
import PostgresNIO
import TestSupport
import Testing

/// The cluster schema against a real PostgreSQL (a private server per test): created once, idempotent, migrated by
/// one node when several start together, and a newer schema refused.
@Suite("Cluster: the PostgreSQL schema")
struct ClusterSchemaTests {
    let server: PostgresServer
    let logger = Logger(label: "cluster-test")

    init() throws {
        server = try PostgresServer()
    }

    /// Runs `body` with a connection, closed afterwards whatever happens (postgres-nio requires it).
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect()
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    func connect() async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: server.port, username: server.user, password: nil, database: server.database, tls: .disable)
        return try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
        ).get()
    }

    @Test func aNewDatabaseGetsTheSchemaOnceAndAgainIsANoOp() async throws {
        try await withConnection { connection in
            #expect(try await ClusterSchema.currentVersion(connection, logger: logger) == 0)
            #expect(try await ClusterSchema.prepare(connection, logger: logger) == 0)
            #expect(try await ClusterSchema.currentVersion(connection, logger: logger) == ClusterSchema.version)
            #expect(try await ClusterSchema.prepare(connection, logger: logger) == ClusterSchema.version)
            try await connection.query("INSERT INTO oz_rooms (room, epoch) VALUES ('lobby', 'abcd')", logger: logger)
        }
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let connections = try await [connect(), connect(), connect()]
        let logger = self.logger
        let found = try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in connections { group.addTask { try await ClusterSchema.prepare(connection, logger: logger) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(found.sorted() == [0, ClusterSchema.version, ClusterSchema.version])
        for connection in connections { try await connection.close() }
    }

    @Test func aNewerSchemaIsRefusedWithAClearError() async throws {
        try await withConnection { connection in
            try await ClusterSchema.prepare(connection, logger: logger)
            try await connection.query("UPDATE oz_schema SET version = 99", logger: logger)
            do {
                try await ClusterSchema.prepare(connection, logger: logger)
                Issue.record("a newer schema was accepted")
            } catch let error as ClusterSchema.Failure {
                #expect(error.description.contains("version 99") && error.description.contains("up to \(ClusterSchema.version)"))
            }
            // The refusal changed nothing.
            #expect(try await ClusterSchema.currentVersion(connection, logger: logger) == 99)
        }
    }
}
