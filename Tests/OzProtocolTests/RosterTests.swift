import Testing

@testable import OzProtocol

@Suite struct RosterTests {
    /// SplitMix64: a tiny seeded generator so randomized tests are reproducible.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func online(_ number: String, _ nickname: String? = nil, avatar: String? = nil) -> ClientInfo {
        var properties = JSONObject()
        if let nickname { properties["Nickname"] = .string(nickname) }
        if let avatar { properties["Avatar"] = .string(avatar) }
        return ClientInfo(phoneNumber: number, status: .online, properties: properties)
    }

    func offline(_ client: ClientInfo) -> ClientInfo {
        var copy = client
        copy.status = .offline
        return copy
    }

    /// The order the roster must keep, computed the obvious way.
    func bruteForceOrder(_ clients: some Sequence<ClientInfo>) -> [String] {
        clients.sorted { a, b in
            let (x, y) = (a.displayName.lowercased(), b.displayName.lowercased())
            return x != y ? x < y : a.phoneNumber < b.phoneNumber
        }.map(\.phoneNumber)
    }

    func numbers(_ roster: Roster) -> [String] { roster.map(\.phoneNumber) }

    // MARK: - Order

    @Test func ordersByDisplayNameIgnoringCase() {
        let roster = Roster(snapshot: [
            online("1500", "bob"), online("Qdb3W", "Alice"), online("Xk29a", "carol"), online("zz9"), online("AAAA1"),
            online("1600", "Émile"), online("1700", "Dave"),
        ])
        // Display names: bob, Alice, carol, zz9, AAAA1, Émile, Dave → lowercased order; digits before letters, é after z.
        #expect(numbers(roster) == ["AAAA1", "Qdb3W", "1500", "Xk29a", "1700", "zz9", "1600"])
        #expect(roster.count == 7)
        #expect(!roster.isEmpty)
    }

    @Test func tiesAreBrokenByPhoneNumber() {
        let roster = Roster(snapshot: [online("c3", "Ann"), online("a1", "ann"), online("b2", "ANN"), online("0", "Ann")])
        #expect(numbers(roster) == ["0", "a1", "b2", "c3"])
    }

    @Test func emptyNicknameFallsBackToPhoneNumber() {
        let roster = Roster(snapshot: [online("m1", ""), online("a2", "z")])
        #expect(numbers(roster) == ["m1", "a2"])
    }

    // MARK: - Snapshot

    @Test func snapshotReplacesEverythingAndReportsTheDifference() {
        var roster = Roster(snapshot: [online("A", "ann"), online("B", "bob"), online("C", "cat")])
        let changes = roster.apply(snapshot: [online("D", "dan"), online("B", "bob"), online("C", "Cathy")])
        #expect(numbers(roster) == ["B", "C", "D"])
        #expect(
            changes == [
                .left(offline(online("A", "ann"))),
                .updated(old: online("C", "cat"), new: online("C", "Cathy")),
                .joined(online("D", "dan")),
            ])
        #expect(roster[phoneNumber: "A"] == nil)
        #expect(roster.clients(nicknamed: "ann").isEmpty)
        #expect(roster.clients(nicknamed: "cathy").map(\.phoneNumber) == ["C"])
    }

    @Test func snapshotSkipsOfflineEntriesAndKeepsTheLastDuplicate() {
        var roster = Roster()
        let changes = roster.apply(snapshot: [online("A", "first"), offline(online("B", "gone")), online("A", "second")])
        #expect(numbers(roster) == ["A"])
        #expect(roster[phoneNumber: "A"]?.nickname == "second")
        #expect(changes == [.joined(online("A", "second"))])
    }

    @Test func emptySnapshotEmptiesTheRoster() {
        var roster = Roster(snapshot: [online("A"), online("B")])
        #expect(roster.apply(snapshot: []).count == 2)
        #expect(roster.isEmpty)
        #expect(Array(roster).isEmpty)
        #expect(roster.elements(in: 0..<10).isEmpty)
    }

    // MARK: - Changes

    @Test func batchOfChangesIsAppliedInOrder() {
        var roster = Roster(snapshot: [online("A", "ann")])
        let changes = roster.apply(changes: [
            online("B", "bob"), online("C", "cat"), offline(online("A", "ann")), offline(online("B", "bob")), online("A", "ann"),
        ])
        #expect(
            changes == [
                .joined(online("B", "bob")), .joined(online("C", "cat")), .left(offline(online("A", "ann"))),
                .left(offline(online("B", "bob"))), .joined(online("A", "ann")),
            ])
        #expect(numbers(roster) == ["A", "C"])
    }

    @Test func duplicateOnlineIsNotReportedTwice() {
        var roster = Roster(snapshot: [online("A", "ann", avatar: "http://x/1.png")])
        #expect(roster.apply(changes: [online("A", "ann", avatar: "http://x/1.png")]) == [])
        #expect(roster.apply(changes: [online("B", "bob"), online("B", "bob")]) == [.joined(online("B", "bob"))])
        #expect(roster.apply(change: online("B", "bob")) == nil)
        #expect(roster.count == 2)
    }

    @Test func offlineOfAnUnknownClientIsIgnored() {
        var roster = Roster(snapshot: [online("A", "ann")])
        #expect(roster.apply(changes: [offline(online("Z", "zed"))]) == [])
        #expect(roster.apply(change: offline(online("A", "ann"))) == .left(offline(online("A", "ann"))))
        #expect(roster.apply(change: offline(online("A", "ann"))) == nil, "leaving twice is reported once")
        #expect(roster.isEmpty)
    }

    @Test func leftReportsTheKnownInfoAsOffline() {
        var roster = Roster(snapshot: [online("A", "ann", avatar: "http://x/a.png")])
        let change = roster.apply(change: ClientInfo(phoneNumber: "A", status: .offline))
        #expect(change == .left(offline(online("A", "ann", avatar: "http://x/a.png"))))
        #expect(change?.client.status == .offline)
    }

    @Test func nicknameChangeResortsAndReindexes() {
        var roster = Roster(snapshot: [online("A", "ann"), online("B", "bob"), online("C", "cat")])
        let change = roster.apply(change: online("A", "zoe"))
        #expect(change == .updated(old: online("A", "ann"), new: online("A", "zoe")))
        #expect(change?.client.nickname == "zoe")
        #expect(numbers(roster) == ["B", "C", "A"])
        #expect(roster.index(of: "A") == 2)
        #expect(roster.clients(nicknamed: "ANN").isEmpty)
        #expect(roster.clients(nicknamed: "Zoe").map(\.phoneNumber) == ["A"])
        #expect(roster.order.invariantViolation() == nil)
    }

    @Test func propertyChangeWithoutNewNameKeepsThePlace() {
        var roster = Roster(snapshot: [online("A", "ann"), online("B", "bob")])
        let change = roster.apply(change: online("A", "ann", avatar: "http://x/new.png"))
        #expect(change == .updated(old: online("A", "ann"), new: online("A", "ann", avatar: "http://x/new.png")))
        #expect(numbers(roster) == ["A", "B"])
        #expect(roster[phoneNumber: "A"]?.avatar == "http://x/new.png")
    }

    @Test func sharedNicknamesAreTrackedThroughJoinsAndLeaves() {
        var roster = Roster(snapshot: [online("B", "Ann"), online("A", "ann")])
        #expect(roster.clients(nicknamed: "ANN").map(\.phoneNumber) == ["A", "B"])
        roster.apply(change: online("C", "aNN"))
        #expect(roster.clients(nicknamed: "ann").map(\.phoneNumber) == ["A", "B", "C"])
        roster.apply(change: offline(online("A", "ann")))
        roster.apply(change: offline(online("C", "aNN")))
        #expect(roster.clients(nicknamed: "ann").map(\.phoneNumber) == ["B"])
        roster.apply(change: online("B", "bob"))  // renamed: the last holder of "ann" goes
        #expect(roster.clients(nicknamed: "ann").isEmpty)
        #expect(roster.clients(nicknamed: "bob").map(\.phoneNumber) == ["B"])
        roster.apply(change: online("D", "ann"))
        #expect(roster.clients(nicknamed: "ann").map(\.phoneNumber) == ["D"])
    }

    @Test func removeAllEmpties() {
        var roster = Roster(snapshot: [online("A", "ann")])
        roster.removeAll()
        #expect(roster.isEmpty)
        #expect(roster.clients(nicknamed: "ann").isEmpty)
        #expect(roster.index(of: "A") == nil)
    }

    // MARK: - Lookup

    @Test func positionsAndRanges() {
        let roster = Roster(snapshot: (0..<26).map { i in online("n\(i)", String(UnicodeScalar(UInt8(97 + 25 - i)))) })
        // Nicknames z…a for n0…n25, so display order is n25, n24, …, n0.
        #expect(roster.index(of: "n25") == 0)
        #expect(roster.index(of: "n0") == 25)
        #expect(roster.index(of: "missing") == nil)
        #expect(roster[position: 0].phoneNumber == "n25")
        #expect(roster[position: 25].phoneNumber == "n0")
        #expect(roster.elements(in: 3..<6).map(\.phoneNumber) == ["n22", "n21", "n20"])
        #expect(roster.elements(in: 24..<40).map(\.phoneNumber) == ["n1", "n0"], "clamped at the end")
        #expect(roster.elements(in: -5..<1).map(\.phoneNumber) == ["n25"], "clamped at the start")
        #expect(roster.elements(in: 30..<40).isEmpty)
        #expect(roster.elements(in: 5..<5).isEmpty)
    }

    @Test func nicknameLookupIgnoresCaseAndReturnsEveryMatch() {
        let roster = Roster(snapshot: [online("B2", "Ann"), online("A1", "ANN"), online("C3", "bob"), online("D4")])
        #expect(roster.clients(nicknamed: "ann").map(\.phoneNumber) == ["A1", "B2"])
        #expect(roster.clients(nicknamed: "BOB").map(\.phoneNumber) == ["C3"])
        #expect(roster.clients(nicknamed: "D4").isEmpty, "a phone number is not a nickname")
        #expect(roster.clients(nicknamed: "nobody").isEmpty)
        #expect(roster[phoneNumber: "C3"]?.displayName == "bob")
    }

    @Test func equalityIgnoresHowTheRosterWasBuilt() {
        var built = Roster()
        built.apply(changes: [online("C", "c"), online("A", "a"), online("B", "b"), online("D", "d"), offline(online("D"))])
        #expect(built == Roster(snapshot: [online("A", "a"), online("B", "b"), online("C", "c")]))
        #expect(built != Roster(snapshot: [online("A", "a")]))
    }

    // MARK: - Scale

    @Test func tenThousandClientsStayConsistentWithABruteForceSort() {
        var generator = SeededGenerator(state: 20_261_127)
        let names = ["ann", "Ann", "ANN", "bob", "Bob", "carol", "dave", "Émile", "émile", "zoë", "Zoë", "", "x"]
        func randomClient(_ number: String) -> ClientInfo {
            let pick = Int.random(in: 0..<(names.count + 3), using: &generator)
            return online(number, pick < names.count ? names[pick] + (pick % 2 == 0 ? "" : "\(pick)") : nil)
        }
        func randomNumber() -> String { "p\(Int.random(in: 0..<15_000, using: &generator))" }

        var roster = Roster()
        var model: [String: ClientInfo] = [:]
        func check() {
            #expect(roster.order.invariantViolation() == nil)
            let expected = bruteForceOrder(model.values)
            #expect(numbers(roster) == expected)
            #expect(roster.count == expected.count)
            for _ in 0..<50 where !expected.isEmpty {
                let position = Int.random(in: 0..<expected.count, using: &generator)
                #expect(roster.index(of: expected[position]) == position)
                #expect(roster[position: position].phoneNumber == expected[position])
                let upper = min(expected.count, position + 20)
                #expect(roster.elements(in: position..<upper).map(\.phoneNumber) == Array(expected[position..<upper]))
            }
        }

        // Grow to 10,000 clients one by one.
        var next = 0
        while model.count < 10_000 {
            let client = randomClient("p\(next)")
            next += 1
            #expect(roster.apply(change: client) == .joined(client))
            model[client.phoneNumber] = client
        }
        check()

        // Random batches of joins, leaves, renames and repeats.
        for round in 0..<20 {
            var batch: [ClientInfo] = []
            for _ in 0..<500 {
                let number = randomNumber()
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: batch.append(offline(model[number] ?? online(number)))
                case 1: batch.append(model[number] ?? randomClient(number))
                default: batch.append(randomClient(number))
                }
            }
            var expectedChanges: [RosterChange] = []
            for client in batch {
                let old = model[client.phoneNumber]
                switch (client.status, old) {
                case (.online, nil):
                    expectedChanges.append(.joined(client))
                    model[client.phoneNumber] = client
                case (.online, let old?) where old.properties != client.properties:
                    expectedChanges.append(.updated(old: old, new: client))
                    model[client.phoneNumber] = client
                case (.offline, let old?):
                    expectedChanges.append(.left(offline(old)))
                    model[client.phoneNumber] = nil
                default:
                    break
                }
            }
            #expect(roster.apply(changes: batch) == expectedChanges, "round \(round)")
            if round % 5 == 4 { check() }
        }

        // Remove everyone in random order.
        var leavers = Array(model.values)
        leavers.shuffle(using: &generator)
        for (offset, client) in leavers.enumerated() {
            #expect(roster.apply(change: offline(client)) != nil)
            model[client.phoneNumber] = nil
            if offset % 2_500 == 0 { check() }
        }
        #expect(roster.isEmpty)
        #expect(roster.order.invariantViolation() == nil)
    }

    @Test func bigSnapshotIsBalancedAndOrdered() {
        var generator = SeededGenerator(state: 7)
        let clients = (0..<10_000).map { i in online("n\(i)", "nick\(Int.random(in: 0..<3_000, using: &generator))") }
        var roster = Roster()
        #expect(roster.apply(snapshot: clients).count == 10_000)
        #expect(roster.order.invariantViolation() == nil)
        #expect(numbers(roster) == bruteForceOrder(clients))
        // A reconnect with the same snapshot changes nothing.
        #expect(roster.apply(snapshot: clients.shuffled(using: &generator)) == [])
    }

    @Test func treeMatchesASortedSetUnderRandomOperations() {
        var generator = SeededGenerator(state: 99)
        var tree = OrderedKeyTree<Int>()
        var model = Set<Int>()
        for step in 0..<20_000 {
            let key = Int.random(in: 0..<2_000, using: &generator)
            if Bool.random(using: &generator) {
                #expect(tree.insert(key) == model.insert(key).inserted)
            } else {
                #expect(tree.remove(key) == (model.remove(key) != nil))
            }
            if step % 1_000 == 0 {
                #expect(tree.invariantViolation() == nil)
                let sorted = model.sorted()
                #expect(Array(tree.keys(from: 0)) == sorted)
                if let some = sorted.randomElement(using: &generator) {
                    #expect(tree.rank(of: some) == sorted.firstIndex(of: some))
                    #expect(tree.key(at: sorted.firstIndex(of: some)!) == some)
                }
            }
        }
        #expect(tree.count == model.count)
        #expect(Array(tree.keys(from: tree.count)).isEmpty)
        #expect(tree.rank(of: -1) == nil)
    }
}
