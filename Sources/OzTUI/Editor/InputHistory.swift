/// The lines sent, for recalling with Up and Down like a shell: Up steps back through older lines (remembering the
/// unsent draft the first time), Down steps forward and finally gives the draft back.
public struct InputHistory: Sendable, Equatable {
    /// The recorded lines, oldest first.
    public private(set) var entries: [String] = []
    /// How many lines are kept; the oldest go first.
    public let capacity: Int
    /// The entry shown while browsing (nil when not browsing).
    private var position: Int?
    /// The line that was being typed when browsing began.
    private var draft = ""

    public init(capacity: Int = 500) {
        self.capacity = max(1, capacity)
    }

    /// Records a sent line (not an empty one, nor a repeat of the line before) and stops browsing.
    public mutating func record(_ line: String) {
        reset()
        guard !line.isEmpty, line != entries.last else { return }
        entries.append(line)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// The line before the one shown (Up), or nil at the oldest; `current` is kept as the draft when browsing begins.
    public mutating func previous(current: String) -> String? {
        guard let position else {
            guard let newest = entries.indices.last else { return nil }
            draft = current
            self.position = newest
            return entries[newest]
        }
        guard position > 0 else { return nil }
        self.position = position - 1
        return entries[position - 1]
    }

    /// The line after the one shown (Down), the draft after the newest, or nil when not browsing.
    public mutating func next() -> String? {
        guard let position else { return nil }
        if position + 1 < entries.count {
            self.position = position + 1
            return entries[position + 1]
        }
        let draft = draft
        reset()
        return draft
    }

    /// Stops browsing and forgets the draft (the next Up starts again from the newest line).
    public mutating func reset() {
        position = nil
        draft = ""
    }
}
