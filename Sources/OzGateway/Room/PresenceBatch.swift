import NIOCore

/// Presence changes not yet sent, in the room's order, each with its sequence number. `flush` sends them as one
/// `clientStateChanged` frame per member; a member that joined during the batch (its `joinSequence` is one of them)
/// gets only the changes after its own ONLINE, which its snapshot did not cover. Owned by the room's event loop.
package struct PresenceBatch {
    private var changes: [(sequence: Int, json: [UInt8])] = []

    package init() {}

    package var isEmpty: Bool { changes.isEmpty }

    /// Adds a change (`json`: a `ClientInfo` entry); sequences must increase.
    package mutating func append(sequence: Int, json: [UInt8]) {
        changes.append((sequence, json))
    }

    /// Forgets what is pending without sending it.
    package mutating func removeAll() {
        changes.removeAll(keepingCapacity: true)
    }

    /// Sends what is pending to `groups`' members and empties the batch.
    package mutating func flush(to groups: LoopGroups) {
        guard let firstSequence = changes.first?.sequence else { return }
        var framesByStart: [Int: ByteBuffer] = [:]
        func frame(from start: Int) -> ByteBuffer {
            if let cached = framesByStart[start] { return cached }
            var bytes: [UInt8] = Array(#"{"type":"clientStateChanged","clients":["#.utf8)
            for (i, change) in changes[start...].enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: change.json)
            }
            bytes.append(contentsOf: "]}".utf8)
            let buffer = TextFrame.encode(ByteBuffer(bytes: bytes))
            framesByStart[start] = buffer
            return buffer
        }
        let everything = frame(from: 0)
        for group in groups.groups {
            var deliveries: [(Member, ByteBuffer)] = []
            deliveries.reserveCapacity(group.members.count)
            for member in group.members {
                if member.joinSequence < firstSequence {
                    deliveries.append((member, everything))
                } else {
                    let start = firstIndex(after: member.joinSequence)
                    if start < changes.count { deliveries.append((member, frame(from: start))) }
                }
            }
            LoopGroups.deliver(deliveries, on: group.eventLoop)
        }
        changes.removeAll(keepingCapacity: true)
    }

    /// The index of the first change after `sequence` (binary search: sequences increase).
    private func firstIndex(after sequence: Int) -> Int {
        var low = 0
        var high = changes.count
        while low < high {
            let middle = (low + high) / 2
            if changes[middle].sequence > sequence { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
