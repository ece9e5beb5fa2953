import Testing

@testable import OzProtocol

/// The membership checked against the obvious model, a dictionary by phone number: same changes, same contents, and
/// equality that ignores the order clients are stored in.
@Suite struct RosterMembershipModelTests {
    let helpers = RosterTests()

    /// Short, long and non-ASCII phone numbers.
    static func phoneNumber(_ number: Int) -> String {
        switch number % 4 {
        case 0, 1: "p\(number)"
        case 2: String(repeating: "0123456789", count: 8) + "\(number)"
        default: "ñ\(number)"
        }
    }

    /// Display order, computed the obvious way.
    static func displayOrder(_ clients: some Sequence<ClientInfo>) -> [ClientInfo] {
        clients.sorted { a, b in
            let (x, y) = (a.displayName.lowercased(), b.displayName.lowercased())
            return x != y ? x < y : a.phoneNumber < b.phoneNumber
        }
    }

    /// What one presence entry does to the model, and the change it must report.
    func expectedChange(_ entry: ClientInfo, _ model: inout [String: ClientInfo]) -> RosterChange? {
        let old = model[entry.phoneNumber]
        switch (entry.status, old) {
        case (.online, nil):
            model[entry.phoneNumber] = entry
            return .joined(entry)
        case (.online, let old?):
            model[entry.phoneNumber] = entry
            return old.properties == entry.properties ? nil : .updated(old: old, new: entry)
        case (.offline, let old?):
            model[entry.phoneNumber] = nil
            return .left(helpers.offline(old))
        case (.offline, nil):
            return nil
        }
    }

    /// What a snapshot does to the model, and the changes it must report.
    func expectedChanges(_ snapshot: [ClientInfo], _ model: inout [String: ClientInfo]) -> [RosterChange] {
        var fresh: [String: ClientInfo] = [:]
        for client in snapshot where client.status == .online { fresh[client.phoneNumber] = client }
        var changes = Self.displayOrder(model.values.filter { fresh[$0.phoneNumber] == nil }).map { RosterChange.left(helpers.offline($0)) }
        for new in Self.displayOrder(fresh.values) {
            if let old = model[new.phoneNumber] {
                if old.properties != new.properties { changes.append(.updated(old: old, new: new)) }
            } else {
                changes.append(.joined(new))
            }
        }
        model = fresh
        return changes
    }

    func expectSame(_ peers: RosterMembership, _ model: [String: ClientInfo]) {
        #expect(peers.invariantViolation() == nil)
        #expect(peers.count == model.count)
        #expect(Set(peers.clients) == Set(model.values))
        #expect(peers.clients.count == model.count, "no client twice")
        for (number, client) in model { #expect(peers[phoneNumber: number] == client) }
        #expect(peers[phoneNumber: "nobody"] == nil)
    }

    @Test func randomPresenceMatchesADictionary() {
        var generator = RosterTests.SeededGenerator(state: 31_337)
        let nicknames = ["ann", "Ann", "bob", "", "zoë", "Émile"]
        func randomEntry(_ numbers: Int) -> ClientInfo {
            let number = Self.phoneNumber(Int.random(in: 0..<numbers, using: &generator))
            let pick = Int.random(in: 0...nicknames.count, using: &generator)
            let client = helpers.online(number, pick < nicknames.count ? nicknames[pick] : nil)
            return Int.random(in: 0..<10, using: &generator) < 6 ? client : helpers.offline(client)
        }

        var peers = RosterMembership()
        var model: [String: ClientInfo] = [:]
        var largest = 0
        for step in 1...40_000 {
            // Few numbers at first, then many (growth), then few again while reconnects drop most clients (shrink).
            let numbers = step < 5_000 ? 50 : step < 30_000 ? 6_000 : 200
            if step % 2_500 == 0 {
                // A reconnect: most of who was here, in another order, with some entries changed, repeated or offline.
                let keepPercent = step < 30_000 ? 90 : 30
                var snapshot = model.values.sorted { $0.phoneNumber < $1.phoneNumber }.filter { _ in
                    Int.random(in: 0..<100, using: &generator) < keepPercent
                }
                snapshot += (0..<Int.random(in: 0..<300, using: &generator)).map { _ in randomEntry(numbers) }
                snapshot.shuffle(using: &generator)
                #expect(peers.apply(snapshot: snapshot) == expectedChanges(snapshot, &model), "snapshot at step \(step)")
                expectSame(peers, model)
            } else {
                let entry = randomEntry(numbers)
                #expect(peers.apply(change: entry) == expectedChange(entry, &model), "step \(step)")
            }
            largest = max(largest, model.count)
            if step % 1_000 == 0 { expectSame(peers, model) }
        }
        #expect(largest > 2_000, "the membership grew")

        // Everyone leaves one by one, then some come back.
        let everyone = Array(model.values)
        #expect(peers.apply(changes: everyone.map(helpers.offline)) == everyone.map { .left(helpers.offline($0)) })
        #expect(peers.count == 0 && peers.invariantViolation() == nil)
        let returning = Array(everyone.prefix(100))
        #expect(peers.apply(changes: returning) == returning.map { .joined($0) })
        expectSame(peers, Dictionary(uniqueKeysWithValues: returning.map { ($0.phoneNumber, $0) }))
    }

    @Test func snapshotKeepsTheLastDuplicateAndSkipsOfflineEntries() {
        var peers = RosterMembership()
        peers.apply(change: helpers.online("B", "bob"))
        let changes = peers.apply(snapshot: [
            helpers.online("A", "first"), helpers.offline(helpers.online("B", "bob")), helpers.online("C"), helpers.online("A", "second"),
        ])
        // Display names "second" and "C": C comes first.
        #expect(
            changes == [.left(helpers.offline(helpers.online("B", "bob"))), .joined(helpers.online("C")), .joined(helpers.online("A", "second"))])
        expectSame(peers, ["A": helpers.online("A", "second"), "C": helpers.online("C")])
    }

    @Test func equalityIgnoresTheStorageOrder() {
        var generator = RosterTests.SeededGenerator(state: 5)
        let clients = (0..<500).map { helpers.online(Self.phoneNumber($0), "nick\($0 % 7)") }

        var inOrder = RosterMembership()
        inOrder.apply(changes: clients)
        var shuffled = RosterMembership()
        shuffled.apply(changes: clients.shuffled(using: &generator))
        var fromSnapshot = RosterMembership()
        fromSnapshot.apply(snapshot: clients.shuffled(using: &generator))
        var churned = inOrder
        churned.apply(changes: clients.prefix(50).map(helpers.offline))
        churned.apply(changes: Array(clients.prefix(50)))

        #expect(inOrder.clients.map(\.phoneNumber) != shuffled.clients.map(\.phoneNumber), "stored in different orders")
        #expect(inOrder.clients.map(\.phoneNumber) != churned.clients.map(\.phoneNumber), "stored in different orders")
        #expect(inOrder == shuffled)
        #expect(inOrder == fromSnapshot)
        #expect(inOrder == churned)
        #expect(shuffled == inOrder)

        var renamed = shuffled
        renamed.apply(change: helpers.online(clients[123].phoneNumber, "someone else"))
        #expect(renamed != inOrder)
        #expect(inOrder != renamed)
        var fewer = shuffled
        fewer.apply(change: helpers.offline(clients[0]))
        #expect(fewer != inOrder)
        #expect(inOrder != fewer)
        var swapped = fewer
        swapped.apply(change: helpers.online("stranger", "nick0"))
        #expect(swapped.count == inOrder.count)
        #expect(swapped != inOrder)
        #expect(inOrder != swapped)
        #expect(RosterMembership() == RosterMembership())
        #expect(RosterMembership() != inOrder)
    }
}
