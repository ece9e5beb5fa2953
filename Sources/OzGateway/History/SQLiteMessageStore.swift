import Foundation
import GRDB

/// Keeps room messages in one SQLite file (GRDB over the system's SQLite), in WAL mode with `synchronous=NORMAL`: a
/// committed batch survives the process being killed (not a power cut mid-checkpoint). The file is created 0600 in a
/// folder created 0700, and is held with an exclusive lock while the gateway runs, so a second gateway on the same
/// file is refused at start instead of interleaving. Opening checks the file (`PRAGMA quick_check`) and the schema:
/// a corrupt, unreadable, locked or foreign file is a `MessageStoreError` naming the path, never an emptied history.
public final class SQLiteMessageStore: MessageStore, @unchecked Sendable {
    public let name: String
    public let epoch: String
    private let queue: DatabaseQueue
    /// Written to `meta.schema`; a file from a later ozgate is refused, not rewritten.
    static let schemaVersion = 1

    public init(path: String) throws(MessageStoreError) {
        self.name = "sqlite:\(path)"
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw MessageStoreError("\(path): cannot create the folder \(folder): \(error.localizedDescription)")
            }
        }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd < 0 { throw MessageStoreError("\(path): cannot create the file: \(String(cString: strerror(errno)))") }
            Glibc.close(fd)
        }
        guard access(path, R_OK | W_OK) == 0 else {
            throw MessageStoreError("\(path): cannot read and write the file: \(String(cString: strerror(errno)))")
        }
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        configuration.journalMode = .wal
        configuration.label = "ozgate.history"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            epoch = try queue.write { db in try Self.prepare(db, path: path) }
        } catch let error as MessageStoreError {
            throw error
        } catch {
            throw MessageStoreError("\(path): \(Self.explain(error))")
        }
    }

    /// Checks the file and creates or reads the schema; returns the store's epoch.
    private static func prepare(_ db: Database, path: String) throws -> String {
        let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
        guard check == ["ok"] else {
            throw MessageStoreError("\(path): the database is damaged (quick_check: \(check.prefix(3).joined(separator: "; ")))")
        }
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS rooms (room TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, floor INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS messages (
                    room TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL,
                    PRIMARY KEY (room, seq)
                ) WITHOUT ROWID;
                """)
        if let version = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema'") {
            guard version == String(schemaVersion) else {
                throw MessageStoreError("\(path): schema version \(version) is not one this ozgate reads (\(schemaVersion))")
            }
        } else {
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('schema', ?)", arguments: [String(schemaVersion)])
        }
        if let epoch = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") {
            guard !epoch.isEmpty, !epoch.contains("-") else { throw MessageStoreError("\(path): meta.epoch \"\(epoch)\" is not an epoch") }
            return epoch
        }
        let epoch = HistoryEpoch.random()
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('epoch', ?)", arguments: [epoch])
        return epoch
    }

    /// SQLite's words for what went wrong, plus what it means here.
    private static func explain(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "the database is locked (another ozgate uses it?): \(error.message ?? "")"
        case .SQLITE_NOTADB: return "not a SQLite database: \(error.message ?? "")"
        case .SQLITE_CORRUPT: return "the database is damaged: \(error.message ?? "")"
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY: return "cannot open the database: \(error.message ?? "")"
        default: return "\(error.message ?? "\(error)") (SQLite \(error.resultCode.rawValue))"
        }
    }

    private func run<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            return try queue.inDatabase(work)
        } catch {
            throw MessageStoreError("\(name): \(Self.explain(error))")
        }
    }

    public func load(room: String, newest: Int) throws -> StoredRoom {
        try run { db in
            let numbering = try Row.fetchOne(db, sql: "SELECT last_seq, floor FROM rooms WHERE room = ?", arguments: [room])
            var records = try Self.records(
                db, room: room, sql: "SELECT seq, ts, body FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?", arguments: [room, newest + 1])
            let olderExist = records.count > newest
            if olderExist { records.removeLast() }
            return StoredRoom(
                records: records.reversed(), olderExist: olderExist, floor: numbering?["floor"] ?? 0, lastSeq: numbering?["last_seq"] ?? 0)
        }
    }

    public func append(_ records: [HistoryRecord], lastSeq: [String: Int64]) throws {
        try run { db in
            try db.inTransaction {
                let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO messages (room, seq, ts, body) VALUES (?, ?, ?, ?)")
                for record in records {
                    try insert.execute(arguments: [record.room, record.seq, record.timestamp, String(decoding: record.body, as: UTF8.self)])
                }
                let numbering = try db.cachedStatement(
                    sql:
                        "INSERT INTO rooms (room, last_seq) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)"
                )
                for (room, seq) in lastSeq { try numbering.execute(arguments: [room, seq]) }
                return .commit
            }
        }
    }

    public func page(room: String, before: Int64, limit: Int) throws -> (records: [HistoryRecord], olderExist: Bool) {
        try run { db in
            var records = try Self.records(
                db, room: room, sql: "SELECT seq, ts, body FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                arguments: [room, before, limit + 1])
            let olderExist = records.count > limit
            if olderExist { records.removeLast() }
            return (records.reversed(), olderExist)
        }
    }

    public func prune(room: String, keepNewest: Int, olderThan: Int64) throws -> Int64? {
        try run { db in
            var highest: Int64?
            try db.inTransaction {
                // The newest message that goes: the oldest of the kept count's overflow, or the newest too old.
                let byCount = try Int64.fetchOne(
                    db, sql: "SELECT seq FROM messages WHERE room = ? ORDER BY seq DESC LIMIT 1 OFFSET ?", arguments: [room, keepNewest])
                let byAge = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM messages WHERE room = ? AND ts < ?", arguments: [room, olderThan])
                guard let cut = [byCount, byAge].compactMap({ $0 }).max() else { return .commit }
                try db.execute(sql: "DELETE FROM messages WHERE room = ? AND seq <= ?", arguments: [room, cut])
                try db.execute(
                    sql: """
                        INSERT INTO rooms (room, last_seq, floor) VALUES (?, ?, ?)
                        ON CONFLICT (room) DO UPDATE SET floor = max(floor, excluded.floor), last_seq = max(last_seq, excluded.last_seq)
                        """, arguments: [room, cut, cut])
                highest = cut
                return .commit
            }
            return highest
        }
    }

    public func rooms() throws -> [String] {
        try run { db in try String.fetchAll(db, sql: "SELECT room FROM rooms UNION SELECT DISTINCT room FROM messages") }
    }

    public func close() {
        try? queue.close()
    }

    private static func records(_ db: Database, room: String, sql: String, arguments: StatementArguments) throws -> [HistoryRecord] {
        var records: [HistoryRecord] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let body: String = row[2]
            records.append(HistoryRecord(room: room, seq: row[0], timestamp: row[1], body: Array(body.utf8)))
        }
        return records
    }
}
