import NIOCore
import OzProtocol

/// A room's history as its event loop sees it: the newest stored messages (the tail, up to 1,000: everything a
/// grant-time answer may hold) and the room's numbering. Grant-time answers come from the tail alone, on the room's
/// loop, so they end exactly where live delivery begins; older pages may need the store (`PageAnswer.store`).
package struct RoomHistory {
    /// Most messages a grant-time answer to `since` holds (PROTOCOL.md).
    package static let maxResume = 1000
    /// Most bytes of JSON a grant-time answer to `since` takes (PROTOCOL.md).
    static let maxResumeBytes = 8 * 1024 * 1024

    let room: String
    let epoch: String
    /// min(1,000, messages kept per room).
    let capacity: Int
    /// The tail is `records[head...]`; records before `head` have left it (compacted now and then).
    private var records: [HistoryRecord] = []
    private var head = 0
    private var tail: ArraySlice<HistoryRecord> { records[head...] }
    /// The newest seq older than the tail's first that was stored; `floor` or below when none is stored any more.
    private var beforeTail: Int64
    /// The highest seq no longer stored (pruned): a resume from at or below it may have missed messages.
    private var floor: Int64
    /// The highest seq assigned.
    private(set) var lastSeq: Int64

    package init(room: String, epoch: String, capacity: Int, stored: StoredRoom) {
        self.room = room
        self.epoch = epoch
        self.capacity = max(1, capacity)
        self.floor = stored.floor
        self.lastSeq = max(stored.lastSeq, stored.records.last?.seq ?? 0)
        let records = stored.records.suffix(self.capacity)
        // Stored records older than the tail: their exact seq does not matter, only that one exists above the floor.
        let olderExist = stored.olderExist || records.count < stored.records.count
        self.beforeTail = olderExist ? max(stored.floor, (records.first?.seq ?? 1) - 1) : stored.floor
        if olderExist, beforeTail <= floor { beforeTail = floor + 1 }
        self.records = Array(records)
    }

    /// Whether stored messages older than the tail exist.
    private var olderStored: Bool { beforeTail > floor }

    /// The next seq and its id.
    mutating func nextID() -> (seq: Int64, id: String) {
        lastSeq += 1
        return (lastSeq, "\(epoch)-\(lastSeq)")
    }

    /// The room's order reached `seq` (a cluster node's room, numbered by PostgreSQL, where presence takes numbers too).
    package mutating func noteSeq(_ seq: Int64) {
        lastSeq = max(lastSeq, seq)
    }

    /// Adds an accepted room message to the tail (the oldest leaves it when full; it stays in the store).
    package mutating func append(_ record: HistoryRecord) {
        records.append(record)
        if records.count - head > capacity { dropFirst() }
    }

    private mutating func dropFirst() {
        beforeTail = records[head].seq
        head += 1
        if head >= capacity {
            records.removeFirst(head)
            head = 0
        }
    }

    /// The store pruned the room through `seq`: those messages leave the tail too.
    mutating func pruned(through seq: Int64) {
        floor = max(floor, seq)
        while head < records.count, records[head].seq <= seq { dropFirst() }
    }

    /// The seq in one of this store's ids; nil for an id from another store or not an id at all.
    package func seq(of id: String) -> Int64? {
        guard id.hasPrefix(epoch + "-"), let seq = Int64(id.dropFirst(epoch.count + 1)), seq > 0, "\(epoch)-\(seq)" == id else { return nil }
        return seq
    }

    /// The grant-time `history` frame's JSON for what `connect` asked, or nil when it asked for none.
    package func grantAnswer(_ recall: HistoryRecall) -> [UInt8]? {
        switch recall {
        case .none, .newest(0):
            return nil
        case .newest(let count):
            let start = tail.endIndex - min(count, tail.count)
            return frame(from: start, complete: nil)
        case .since(let id):
            var start = newestFitting()
            var complete = false
            if let seq = seq(of: id), seq <= lastSeq, seq >= floor, seq >= beforeTail {
                // Everything stored after `seq` is in the tail; it is complete if it all fits.
                let after = firstIndex(after: seq)
                if after >= start {
                    start = after
                    complete = true
                }
            }
            return frame(from: start, complete: complete)
        }
    }

    /// How to answer a `history` request.
    package enum PageAnswer {
        /// The frame, from the tail.
        case ready([UInt8])
        /// The page reaches past the tail: ask the store for records below `before`.
        case store(before: Int64)
        /// `before` is not an id of this room's history.
        case unknown
    }

    package func page(_ query: HistoryQuery) -> PageAnswer {
        var end = tail.endIndex
        if let before = query.before {
            guard let seq = seq(of: before), seq <= lastSeq else { return .unknown }
            if seq <= floor { return .ready(Self.pageFrame(bodies: [], more: false, query: query)) }
            end = firstIndex(after: seq - 1)
            if end == tail.startIndex, olderStored || seq <= beforeTail { return .store(before: seq) }
        }
        let available = end - tail.startIndex
        if available < query.limit, olderStored {
            return .store(before: end < tail.endIndex ? tail[end].seq : lastSeq + 1)
        }
        let start = end - min(query.limit, available)
        let bodies = tail[start..<end].map(\.body)
        return .ready(Self.pageFrame(bodies: bodies, more: start > tail.startIndex || olderStored, query: query))
    }

    /// The first tail index whose seq is above `seq`.
    private func firstIndex(after seq: Int64) -> Int {
        var low = tail.startIndex
        var high = tail.endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if tail[middle].seq > seq { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The first index of the newest records that fit a resume answer (1,000 messages, 8 MiB).
    private func newestFitting() -> Int {
        var start = tail.endIndex
        var bytes = 64
        var count = 0
        while start > tail.startIndex, count < Self.maxResume {
            let previous = start - 1
            bytes += tail[previous].body.count + 1
            if bytes > Self.maxResumeBytes { break }
            start = previous
            count += 1
        }
        return start
    }

    private func frame(from start: Int, complete: Bool?) -> [UInt8] {
        let bodies = tail[start..<tail.endIndex].map(\.body)
        let more = start > tail.startIndex || olderStored
        return Self.frame(bodies: bodies, more: more && !bodies.isEmpty, complete: complete, before: nil, ref: nil)
    }

    /// A `history` frame answering `query`.
    package static func pageFrame(bodies: [[UInt8]], more: Bool, query: HistoryQuery) -> [UInt8] {
        frame(bodies: bodies, more: more && !bodies.isEmpty, complete: nil, before: query.before, ref: query.ref)
    }

    /// `{"type":"history","messages":[…],"more":…}` with the optional members.
    static func frame(bodies: [[UInt8]], more: Bool, complete: Bool?, before: String?, ref: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + bodies.reduce(0) { $0 + $1.count + 1 })
        bytes.append(contentsOf: #"{"type":"history","messages":["#.utf8)
        for (i, body) in bodies.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: body)
        }
        bytes.append(contentsOf: #"],"more":"#.utf8)
        bytes.append(contentsOf: (more ? "true" : "false").utf8)
        if let complete {
            bytes.append(contentsOf: #","complete":"#.utf8)
            bytes.append(contentsOf: (complete ? "true" : "false").utf8)
        }
        if let before {
            bytes.append(contentsOf: #","before":"#.utf8)
            JSONWriter.writeString(before, into: &bytes)
        }
        if let ref {
            bytes.append(contentsOf: #","ref":"#.utf8)
            JSONWriter.writeString(ref, into: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
