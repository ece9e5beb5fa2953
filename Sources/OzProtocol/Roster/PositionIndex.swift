/// Where each element of a dense array is, by key: an open-addressing hash table (linear probing) whose slots hold
/// `Int32` positions into the array, not keys, so an entry costs 4 bytes per slot. The caller owns the array and
/// passes it in with how to read an element's key; every mutation goes through the index, which keeps the two in step.
///
/// Removal moves the array's last element into the hole (so the array's order is insertion order disturbed by
/// removals) and uses backward-shift deletion, so no tombstones accumulate. The table keeps a power-of-two capacity
/// with a load of at most 3/4, doubles when full and halves when under 1/4 (compacting the array too), so memory
/// comes back after a mass leave. Keys are hashed with the per-process seeded `Hasher`, so peers choosing keys cannot
/// force collisions. Lookup, insert and remove are O(1) expected, with amortized resizing.
struct PositionIndex<Key: Hashable>: Sendable {
    /// The slot value meaning "no element".
    private static var empty: Int32 { -1 }
    private static var minimumCapacity: Int { 8 }

    private var slots: [Int32] = []

    /// An empty index (no table until the first insert).
    init() {}

    /// An empty index sized to take `count` keys without growing.
    init(reservingCapacityFor count: Int) {
        if count > 0 { slots = Array(repeating: Self.empty, count: Self.capacity(for: count)) }
    }

    /// The number of slots.
    var capacity: Int { slots.count }

    /// The position in `elements` of the element whose key is `key`.
    func position<Element>(of key: Key, in elements: [Element], key keyOf: (Element) -> Key) -> Int? {
        guard case .found(let slot) = probe(for: key, in: elements, key: keyOf) else { return nil }
        return Int(slots[slot])
    }

    /// Puts `element` in place of the one with the same key and returns that one, else appends it and returns nil.
    @discardableResult
    mutating func insert<Element>(_ element: Element, into elements: inout [Element], key keyOf: (Element) -> Key) -> Element? {
        let key = keyOf(element)
        var slot: Int
        switch probe(for: key, in: elements, key: keyOf) {
        case .found(let slot):
            let position = Int(slots[slot])
            let old = elements[position]
            elements[position] = element
            return old
        case .vacant(let vacant):
            slot = vacant
        case .noTable:
            slot = 0
        }
        precondition(elements.count < Int(Int32.max), "PositionIndex holds at most Int32.max elements")
        if (elements.count + 1) * 4 > capacity * 3 {
            resize(to: Swift.max(Self.minimumCapacity, capacity * 2), elements, keyOf)
            slot = vacantSlot(for: key)
        }
        slots[slot] = Int32(elements.count)
        elements.append(element)
        return nil
    }

    /// Removes the element whose key is `key`, moving the last element into its place, and returns it.
    @discardableResult
    mutating func remove<Element>(_ key: Key, from elements: inout [Element], key keyOf: (Element) -> Key) -> Element? {
        guard case .found(let slot) = probe(for: key, in: elements, key: keyOf) else { return nil }
        let position = Int(slots[slot])
        vacate(slot, elements, keyOf)
        let last = elements.count - 1
        if position != last {
            slots[occupiedSlot(holding: last, key: keyOf(elements[last]))] = Int32(position)
            elements.swapAt(position, last)
        }
        let removed = elements.removeLast()
        if capacity > Self.minimumCapacity, elements.count * 4 < capacity {
            resize(to: capacity / 2, elements, keyOf)
            if elements.capacity > 2 * elements.count { elements = Self.compacted(elements) }
        }
        return removed
    }

    // MARK: - Probing

    private enum Probe {
        /// The table is not allocated yet.
        case noTable
        /// The slot holding the key.
        case found(Int)
        /// The empty slot ending the key's probe run, where it would go.
        case vacant(Int)
    }

    private var mask: Int { capacity - 1 }

    private func home(of key: Key) -> Int { key.hashValue & mask }

    private func probe<Element>(for key: Key, in elements: [Element], key keyOf: (Element) -> Key) -> Probe {
        guard capacity > 0 else { return .noTable }
        var slot = home(of: key)
        // The load is at most 3/4, so an empty slot ends every run.
        while true {
            let position = slots[slot]
            if position == Self.empty { return .vacant(slot) }
            if keyOf(elements[Int(position)]) == key { return .found(slot) }
            slot = (slot + 1) & mask
        }
    }

    /// The first empty slot from `key`'s home on (for a key known to be absent).
    private func vacantSlot(for key: Key) -> Int {
        var slot = home(of: key)
        while slots[slot] != Self.empty { slot = (slot + 1) & mask }
        return slot
    }

    /// The slot holding `position`, whose element has key `key` (compares positions, not keys).
    private func occupiedSlot(holding position: Int, key: Key) -> Int {
        var slot = home(of: key)
        while slots[slot] != Int32(position) {
            precondition(slots[slot] != Self.empty, "PositionIndex lost position \(position)")
            slot = (slot + 1) & mask
        }
        return slot
    }

    /// Empties `slot`, then shifts later entries of its run back so that every run stays unbroken.
    private mutating func vacate<Element>(_ slot: Int, _ elements: [Element], _ keyOf: (Element) -> Key) {
        var hole = slot
        var next = (slot + 1) & mask
        while slots[next] != Self.empty {
            let distance = (next - home(of: keyOf(elements[Int(slots[next])]))) & mask
            // The entry may fill the hole when the hole lies on its probe path (from its home to `next`).
            if distance >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = Self.empty
    }

    // MARK: - Sizing

    /// The smallest power-of-two capacity (at least the minimum) keeping `count` keys at a load of at most 3/4.
    private static func capacity(for count: Int) -> Int {
        var capacity = minimumCapacity
        while count * 4 > capacity * 3 { capacity *= 2 }
        return capacity
    }

    private mutating func resize<Element>(to newCapacity: Int, _ elements: [Element], _ keyOf: (Element) -> Key) {
        slots = Array(repeating: Self.empty, count: newCapacity)
        for position in elements.indices {
            slots[vacantSlot(for: keyOf(elements[position]))] = Int32(position)
        }
    }

    /// A copy of `elements` in a buffer of about its size (`removeLast` never gives memory back).
    private static func compacted<Element>(_ elements: [Element]) -> [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(elements.count)
        copy.append(contentsOf: elements)
        return copy
    }

    // MARK: - Checking (for tests)

    /// Checks the capacity, the load, and that every element is found at its own position and nothing else is
    /// indexed; returns the first problem found.
    func invariantViolation<Element>(_ elements: [Element], key keyOf: (Element) -> Key) -> String? {
        if capacity == 0 { return elements.isEmpty ? nil : "no table but \(elements.count) elements" }
        if capacity < Self.minimumCapacity || capacity & mask != 0 { return "capacity \(capacity) not a power of two ≥ 8" }
        if elements.count * 4 > capacity * 3 { return "\(elements.count) elements in \(capacity) slots" }
        let occupied = slots.filter { $0 != Self.empty }
        if occupied.count != elements.count { return "\(occupied.count) slots used for \(elements.count) elements" }
        if Set(occupied) != Set(elements.indices.map(Int32.init)) { return "slots do not hold each position once" }
        for position in elements.indices where self.position(of: keyOf(elements[position]), in: elements, key: keyOf) != position {
            return "element \(position) not found at its position"
        }
        return nil
    }
}
