import OzProtocol

/// How large a room's member list may grow so that every `ACCESS_GRANTED` snapshot fits in what a client accepts.
/// The snapshot is a header naming the newcomer and the room, then every other member's ONLINE entry; the room keeps
/// the entries' total as members come and go, so checking a join costs nothing however big the room is.
package struct SnapshotBudget: Sendable {
    /// Largest snapshot, serialized: `GatewayLimits.maxSnapshotBytes`, never above `WireLimits.maxServerMessageBytes`
    /// (the constant the client's own limit is set from).
    package let snapshotLimit: Int
    /// Most bytes the `clients` array's contents (entries and the commas between them) may take: the snapshot limit
    /// less the longest header this room's snapshots can have.
    package let memberListLimit: Int

    /// `longestNumber`: the most bytes a phone number can take in JSON (quotes included).
    init(snapshotLimit: Int, room: String, longestNumber: Int) {
        self.snapshotLimit = min(max(0, snapshotLimit), WireLimits.maxServerMessageBytes)
        var header: [UInt8] = []
        Self.writeHeader(number: "", room: room, keepsHistory: true, into: &header)
        // `writeHeader` wrote `""` for the number; the suffix is `]}`.
        let longestHeader = header.count - 2 + longestNumber + 2
        self.memberListLimit = max(0, self.snapshotLimit - longestHeader)
    }

    /// The snapshot's opening, up to and including the `[` of `clients`; the entries and `]}` follow. A gateway that
    /// keeps history says so (`"history":true`, OzWire v1.1).
    package static func writeHeader(number: String, room: String, keepsHistory: Bool, into frame: inout [UInt8]) {
        frame.append(contentsOf: #"{"type":"connectionState","state":"ACCESS_GRANTED","phoneNumber":"#.utf8)
        JSONWriter.writeString(number, into: &frame)
        frame.append(contentsOf: #","room":"#.utf8)
        JSONWriter.writeString(room, into: &frame)
        if keepsHistory { frame.append(contentsOf: #","history":true"#.utf8) }
        frame.append(contentsOf: #","clients":["#.utf8)
    }

    /// The most bytes `number` takes in JSON, quotes included.
    static func jsonBytes(_ number: String) -> Int {
        var bytes: [UInt8] = []
        JSONWriter.writeString(number, into: &bytes)
        return bytes.count
    }

    /// `16 MiB`, `64 KiB` or `1000 bytes`, for messages.
    package static func describe(_ bytes: Int) -> String {
        if bytes > 0, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
        if bytes > 0, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}
