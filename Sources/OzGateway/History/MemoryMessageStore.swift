import NIOConcurrencyHelpers

/// Keeps room messages in memory: for tests and `--store memory`. Lost when the gateway stops (a new epoch each time,
/// so ids from before a restart are never taken for new ones).
public final class MemoryMessageStore: MessageStore {
    public let name = "memory"
    public let epoch: String

    private struct Room {
        var records: [HistoryRecord] = []
        /// Records before this index are removed (compacted now and then).
        var start = 0
        var floor: Int64 = 0
        var lastSeq: Int64 = 0
        var live: ArraySlice<HistoryRecord> { records[start...] }
    }

    private let state = NIOLockedValueBox([String: Room]())

    public init(epoch: String = HistoryEpoch.random()) {
        self.epoch = epoch
    }

    public func load(room: String, newest: Int) throws -> StoredRoom {
        state.withLockedValue { rooms in
            let state = rooms[room] ?? Room()
            let live = state.live
            let records = Array(live.suffix(newest))
            return StoredRoom(records: records, olderExist: live.count > records.count, floor: state.floor, lastSeq: state.lastSeq)
        }
    }

    public func append(_ records: [HistoryRecord], lastSeq: [String: Int64]) throws {
        state.withLockedValue { rooms in
            for record in records { rooms[record.room, default: Room()].records.append(record) }
            for (room, seq) in lastSeq { rooms[room, default: Room()].lastSeq = max(rooms[room]?.lastSeq ?? 0, seq) }
        }
    }

    public func page(room: String, before: Int64, limit: Int) throws -> (records: [HistoryRecord], olderExist: Bool) {
        state.withLockedValue { rooms in
            guard let live = rooms[room]?.live else { return ([], false) }
            let end = live.partitioningIndex { $0.seq >= before }
            let start = max(live.startIndex, end - limit)
            return (Array(live[start..<end]), start > live.startIndex)
        }
    }

    public func prune(room: String, keepNewest: Int, olderThan: Int64) throws -> Int64? {
        state.withLockedValue { rooms in
            guard var state = rooms[room] else { return nil }
            let live = state.live
            var cut = max(live.startIndex, live.endIndex - keepNewest)
            while cut < live.endIndex, live[cut].timestamp < olderThan { cut += 1 }
            guard cut > live.startIndex else { return nil }
            let highest = live[cut - 1].seq
            state.start = cut
            state.floor = max(state.floor, highest)
            if state.start > 1024, state.start * 2 > state.records.count {
                state.records.removeFirst(state.start)
                state.start = 0
            }
            rooms[room] = state
            return highest
        }
    }

    public func rooms() throws -> [String] {
        state.withLockedValue { Array($0.keys) }
    }

    public func close() {}
}

extension ArraySlice {
    /// The first index whose element satisfies `belongs`, for a slice ordered so that it is false, then true.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Store identities.
public enum HistoryEpoch {
    /// Four characters that cannot be misread (no 0/o, 1/l).
    public static func random() -> String {
        String((0..<4).map { _ in "abcdefghijkmnpqrstuvwxyz23456789".randomElement()! })
    }
}
