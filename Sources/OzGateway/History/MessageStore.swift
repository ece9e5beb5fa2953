/// One stored room message: its place in the room's order, when the gateway accepted it, and its `StoredMessage` JSON
/// object (OzWire v1.1: the `message` fields plus `fromProperties` and `nonce`), which is what history frames carry.
public struct HistoryRecord: Sendable, Equatable {
    public var room: String
    /// The room's order: increasing, never reused (also across restarts of a durable store). The id ends in it.
    public var seq: Int64
    /// Milliseconds since 1970, for pruning by age.
    public var timestamp: Int64
    /// The `StoredMessage` object, serialized.
    public var body: [UInt8]

    public init(room: String, seq: Int64, timestamp: Int64, body: [UInt8]) {
        self.room = room
        self.seq = seq
        self.timestamp = timestamp
        self.body = body
    }
}

/// What a store knows about a room when the gateway starts.
public struct StoredRoom: Sendable, Equatable {
    /// The newest records asked for, oldest first.
    public var records: [HistoryRecord]
    /// Whether stored records older than the first of `records` exist.
    public var olderExist: Bool
    /// The highest seq the store no longer holds (pruned); 0 when none was.
    public var floor: Int64
    /// The highest seq ever assigned in the room; 0 for a new room. Numbering continues after it.
    public var lastSeq: Int64

    public init(records: [HistoryRecord] = [], olderExist: Bool = false, floor: Int64 = 0, lastSeq: Int64 = 0) {
        self.records = records
        self.olderExist = olderExist
        self.floor = floor
        self.lastSeq = lastSeq
    }
}

/// Where a gateway keeps room messages: in memory or in a SQLite file today, PostgreSQL later. Every call comes from
/// one thread (`HistoryWriter`'s), one at a time, so an implementation needs no locking of its own; calls may block.
/// The SQL is kept plain (one `messages` table keyed by room and seq, one `rooms` table) so other databases can follow.
public protocol MessageStore: AnyObject, Sendable {
    /// Names the store for log lines and errors (`memory`, `sqlite:/path`).
    var name: String { get }
    /// Identifies the store's history: part of every message id, so an id from a lost store is never taken for one of
    /// this store's. A durable store keeps it; a new store gets a new one.
    var epoch: String { get }
    /// The room's newest `newest` records and its numbering.
    func load(room: String, newest: Int) throws -> StoredRoom
    /// Writes records (any rooms, each room's in order) and each room's highest assigned seq, in one transaction.
    func append(_ records: [HistoryRecord], lastSeq: [String: Int64]) throws
    /// Up to `limit` records of `room` with a seq below `before`, oldest first, and whether older ones exist.
    func page(room: String, before: Int64, limit: Int) throws -> (records: [HistoryRecord], olderExist: Bool)
    /// Removes the room's records beyond its newest `keepNewest` and those older than `olderThan` (milliseconds since
    /// 1970); returns the highest seq removed, or nil when nothing was.
    func prune(room: String, keepNewest: Int, olderThan: Int64) throws -> Int64?
    /// The rooms that have records or numbering.
    func rooms() throws -> [String]
    /// Releases the store (last call).
    func close()
}

/// A store's failure, with what it was doing: for the log, or for the error ozgate exits 78 with at start.
public struct MessageStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
