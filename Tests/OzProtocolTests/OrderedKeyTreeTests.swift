import Testing

@testable import OzProtocol

/// The order tree's compact nodes: their size, and walks that start anywhere after removals reused slots.
@Suite struct OrderedKeyTreeTests {
    @Test func nodesAreTheKeyPlusSixteenBytes() {
        // A sort key is two strings (32 bytes); links, size and height used to take four Ints (64 bytes a node).
        #expect(MemoryLayout<RosterSortKey>.stride == 32)
        #expect(OrderedKeyTree<RosterSortKey>.nodeStride == 48)
        #expect(OrderedKeyTree<Int>.nodeStride == 24)
    }

    @Test func walksFromEveryPositionAfterSlotsAreReused() {
        var generator = RosterTests.SeededGenerator(state: 11)
        var tree = OrderedKeyTree<Int>()
        for key in (0..<600).shuffled(using: &generator) { tree.insert(key) }
        for key in (0..<600).shuffled(using: &generator).prefix(400) { tree.remove(key) }
        for key in (600..<900).shuffled(using: &generator) { tree.insert(key) }
        #expect(tree.invariantViolation() == nil)
        let sorted = Array(tree.keys(from: 0))
        #expect(sorted == sorted.sorted() && sorted.count == 500 && tree.count == 500)
        for position in 0...sorted.count {
            #expect(Array(tree.keys(from: position)) == Array(sorted[position...]))
        }
    }
}
