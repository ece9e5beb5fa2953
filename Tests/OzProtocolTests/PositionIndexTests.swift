import Testing

@testable import OzProtocol

/// The hash index beside a dense array must behave like a plain dictionary, whatever the keys and however full it gets.
@Suite struct PositionIndexTests {
    /// One dense-array element: a key and a value.
    struct Entry<Key: Hashable> {
        var key: Key
        var value: Int
    }

    /// A key whose hash depends only on `id % buckets`, so that many keys share a home slot.
    struct CollidingKey: Hashable {
        var id: Int
        var buckets: Int

        static func == (lhs: CollidingKey, rhs: CollidingKey) -> Bool { lhs.id == rhs.id }

        func hash(into hasher: inout Hasher) { hasher.combine(id % buckets) }
    }

    /// A dense array, its index and the dictionary they must match.
    struct Harness<Key: Hashable & SendableMetatype> {
        var index = PositionIndex<Key>()
        var elements: [Entry<Key>] = []
        var model: [Key: Int] = [:]

        static func key(_ entry: Entry<Key>) -> Key { entry.key }

        mutating func insert(_ key: Key, _ value: Int) {
            let old = index.insert(Entry(key: key, value: value), into: &elements, key: Self.key)
            let expected = model.updateValue(value, forKey: key)
            #expect(old?.key == (expected == nil ? nil : key))
            #expect(old?.value == expected)
        }

        mutating func remove(_ key: Key) {
            let removed = index.remove(key, from: &elements, key: Self.key)
            let expected = model.removeValue(forKey: key)
            #expect(removed?.key == (expected == nil ? nil : key))
            #expect(removed?.value == expected)
        }

        func lookUp(_ key: Key) {
            let found = index.position(of: key, in: elements, key: Self.key).map { elements[$0] }
            #expect(found?.key == (model[key] == nil ? nil : key))
            #expect(found?.value == model[key])
        }

        func check() {
            #expect(index.invariantViolation(elements, key: Self.key) == nil)
            #expect(elements.count == model.count)
            for entry in elements { #expect(model[entry.key] == entry.value) }
        }
    }

    /// Short keys, long keys sharing a long prefix, and non-ASCII ones.
    static func stringKey(_ number: Int) -> String {
        switch number % 3 {
        case 0: "k\(number)"
        case 1: String(repeating: "prefix-", count: 20) + "\(number)"
        default: "é\(number)ü👋"
        }
    }

    @Test func randomOperationsMatchADictionary() {
        var generator = RosterTests.SeededGenerator(state: 2_024)
        var harness = Harness<String>()
        var largestCapacity = 0
        var shrankMidway = false
        // Phases with different key ranges and insert rates make the table grow, shrink and grow again.
        let phases: [(keys: Int, insertPercent: Int, steps: Int)] = [
            (20_000, 80, 30_000), (20_000, 5, 60_000), (300, 60, 10_000), (5_000, 70, 10_000),
        ]
        for (phase, plan) in phases.enumerated() {
            for step in 0..<plan.steps {
                let key = Self.stringKey(Int.random(in: 0..<plan.keys, using: &generator))
                let roll = Int.random(in: 0..<100, using: &generator)
                if roll < plan.insertPercent {
                    harness.insert(key, Int.random(in: 0..<1_000, using: &generator))
                } else if roll < plan.insertPercent + (100 - plan.insertPercent) / 2 {
                    harness.remove(key)
                } else {
                    harness.lookUp(key)
                }
                shrankMidway = shrankMidway || harness.index.capacity < largestCapacity
                largestCapacity = max(largestCapacity, harness.index.capacity)
                if step % 5_000 == 0 { harness.check() }
            }
            harness.check()
            #expect(harness.index.capacity * 3 >= harness.elements.count * 4, "phase \(phase)")
        }
        #expect(largestCapacity >= 16_384, "the table grew")
        #expect(shrankMidway, "the table shrank between inserts")

        // Remove everything, in random order: the table and the array shrink back.
        for key in Array(harness.model.keys).shuffled(using: &generator) { harness.remove(key) }
        harness.check()
        #expect(harness.elements.isEmpty)
        #expect(harness.index.capacity == 8)
        #expect(harness.elements.capacity < 64)

        // And it works again afterwards.
        for number in 0..<1_000 { harness.insert(Self.stringKey(number), number) }
        for number in 0..<1_000 { harness.lookUp(Self.stringKey(number)) }
        harness.check()
    }

    @Test(arguments: [1, 3, 7])
    func collidingKeysMatchADictionary(buckets: Int) {
        var generator = RosterTests.SeededGenerator(state: UInt64(buckets))
        var harness = Harness<CollidingKey>()
        for step in 0..<12_000 {
            let key = CollidingKey(id: Int.random(in: 0..<400, using: &generator), buckets: buckets)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: harness.insert(key, step)
            case 1: harness.remove(key)
            default: harness.lookUp(key)
            }
            if step % 500 == 0 { harness.check() }
        }
        harness.check()
        for id in 0..<400 { harness.remove(CollidingKey(id: id, buckets: buckets)) }
        harness.check()
        #expect(harness.index.capacity == 8)
    }

    @Test func tinyTableAtFullLoadFindsEveryKey() {
        // Six keys in eight slots, all with the same home: one run of six that wraps around when the home is late.
        for round in 0..<50 {
            var harness = Harness<CollidingKey>()
            let keys = (0..<6).map { CollidingKey(id: round * 10 + $0, buckets: 1) }
            for (value, key) in keys.enumerated() { harness.insert(key, value) }
            #expect(harness.index.capacity == 8)
            for key in keys { harness.lookUp(key) }
            harness.lookUp(CollidingKey(id: -1, buckets: 1))
            // Remove from the middle of the run, then the run's first key, then reinsert them.
            harness.remove(keys[3])
            harness.remove(keys[0])
            harness.check()
            for key in keys { harness.lookUp(key) }
            harness.insert(keys[0], 100)
            harness.insert(keys[3], 103)
            harness.check()
            // A seventh key makes it grow.
            harness.insert(CollidingKey(id: -1, buckets: 1), 7)
            #expect(harness.index.capacity == 16)
            harness.check()
        }
    }

    @Test func removingTheLastElementAndTheOnlyElement() {
        var harness = Harness<String>()
        harness.insert("a", 1)
        harness.insert("b", 2)
        harness.insert("c", 3)
        harness.remove("c")  // the last element: nothing moves
        #expect(harness.elements.map(\.key) == ["a", "b"])
        harness.remove("a")  // the last element moves into the hole
        #expect(harness.elements.map(\.key) == ["b"])
        harness.check()
        harness.remove("b")
        harness.remove("b")
        harness.lookUp("b")
        harness.check()
        harness.insert("b", 4)
        harness.lookUp("b")
        harness.check()
    }

    @Test func replacingKeepsThePositionAndTheCount() {
        var harness = Harness<String>()
        for number in 0..<100 { harness.insert(Self.stringKey(number), number) }
        let before = harness.elements.map(\.key)
        for number in 0..<100 { harness.insert(Self.stringKey(number), -number) }
        #expect(harness.elements.map(\.key) == before)
        #expect(harness.elements.map(\.value) == (0..<100).map { -$0 })
        harness.check()
    }

    @Test func reservedTableDoesNotGrow() {
        var index = PositionIndex<String>(reservingCapacityFor: 15_000)
        #expect(index.capacity == 32_768)
        var elements: [String] = []
        for number in 0..<15_000 { index.insert(Self.stringKey(number), into: &elements, key: { $0 }) }
        #expect(index.capacity == 32_768)
        #expect(index.invariantViolation(elements, key: { $0 }) == nil)
        #expect(PositionIndex<String>(reservingCapacityFor: 0).capacity == 0)
        #expect(PositionIndex<String>(reservingCapacityFor: 6).capacity == 8)
        #expect(PositionIndex<String>(reservingCapacityFor: 7).capacity == 16)
    }
}
