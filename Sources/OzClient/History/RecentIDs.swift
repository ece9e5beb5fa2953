/// The ids of the newest room messages seen, at most `capacity` of them: a resumed history may repeat messages the
/// client already showed (it saw some live before noticing the drop), and these are skipped. Oldest forgotten first.
struct RecentIDs: Sendable {
    private var order: [String?]
    private var members: Set<String> = []
    private var next = 0
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
        order = Array(repeating: nil, count: self.capacity)
    }

    func contains(_ id: String) -> Bool { members.contains(id) }

    /// Remembers `id`; false when it was already there.
    @discardableResult
    mutating func insert(_ id: String) -> Bool {
        guard members.insert(id).inserted else { return false }
        if let evicted = order[next] { members.remove(evicted) }
        order[next] = id
        next = (next + 1) % capacity
        return true
    }

    var count: Int { members.count }
}
