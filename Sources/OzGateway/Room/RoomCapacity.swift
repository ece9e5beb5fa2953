import OzProtocol

/// Whether the configured member limit and properties size fit together in a snapshot, and if not, what an operator
/// should know: rooms then also fill up by bytes, before the member limit.
struct RoomCapacity {
    /// Members whose entries all have the largest allowed properties that fit in one snapshot.
    let membersAtLargestProperties: Int
    let limits: GatewayLimits

    /// `longestNumber`: the most bytes a phone number takes in JSON (see `SnapshotBudget`).
    init(limits: GatewayLimits, longestNumber: Int) {
        self.limits = limits
        // The longest header: the shortest room name gives the most room, but line names are at most 64 characters.
        let budget = SnapshotBudget(snapshotLimit: limits.maxSnapshotBytes, room: String(repeating: "x", count: 64), longestNumber: longestNumber)
        var entry: [UInt8] = []
        JSONWriter.write(ClientInfo(phoneNumber: "", status: .online).json, into: &entry)
        // The entry with an empty number and `{}` properties, grown to the longest number and largest properties, and a comma.
        let largest = entry.count - 2 + longestNumber - 2 + min(limits.maxPropertiesBytes, WireLimits.maxPropertiesBytes) + 1
        self.membersAtLargestProperties = budget.memberListLimit / max(1, largest)
    }

    /// Nil when every room at its member limit still fits in a snapshot; otherwise a line for the start-up log.
    var note: String? {
        let members = limits.maxMembersPerRoom
        guard members == 0 || members > membersAtLargestProperties else { return nil }
        let size = SnapshotBudget.describe(min(limits.maxSnapshotBytes, WireLimits.maxServerMessageBytes))
        let cap = members == 0 ? "no member limit" : "max_members_per_room \(members)"
        return "\(cap) with max_properties_bytes \(limits.maxPropertiesBytes) can pass the \(size) a snapshot may take; "
            + "a room is also full when its member list would pass that (after \(membersAtLargestProperties) members "
            + "if every one has properties that large)"
    }
}
