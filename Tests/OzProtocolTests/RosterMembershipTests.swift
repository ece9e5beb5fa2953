import Testing

@testable import OzProtocol

/// The session's order-free membership must report exactly the changes the ordered `Roster` reports, since the UI builds
/// its roster from them.
@Suite struct RosterMembershipTests {
    let helpers = RosterTests()

    @Test func repeatsAreDroppedAndLeaversKeepTheirLastProperties() {
        var peers = RosterMembership()
        #expect(peers.apply(change: helpers.online("A", "ann")) == .joined(helpers.online("A", "ann")))
        #expect(peers.apply(change: helpers.online("A", "ann")) == nil)
        #expect(peers.apply(change: helpers.online("A", "anna")) == .updated(old: helpers.online("A", "ann"), new: helpers.online("A", "anna")))
        #expect(peers.apply(change: helpers.offline(helpers.online("B"))) == nil)
        #expect(peers.apply(change: helpers.offline(helpers.online("A"))) == .left(helpers.offline(helpers.online("A", "anna"))))
        #expect(peers.count == 0)
    }

    @Test func snapshotReportsLeaversThenArrivalsInDisplayOrder() {
        var peers = RosterMembership()
        peers.apply(snapshot: [helpers.online("Z", "zed"), helpers.online("B", "bob"), helpers.online("Y", "amy"), helpers.online("K", "kim")])
        let changes = peers.apply(snapshot: [helpers.online("K", "kim2"), helpers.online("C", "cid"), helpers.online("A", "abe")])
        #expect(
            changes == [
                .left(helpers.offline(helpers.online("Y", "amy"))), .left(helpers.offline(helpers.online("B", "bob"))),
                .left(helpers.offline(helpers.online("Z", "zed"))), .joined(helpers.online("A", "abe")), .joined(helpers.online("C", "cid")),
                .updated(old: helpers.online("K", "kim"), new: helpers.online("K", "kim2")),
            ])
    }

    @Test func aSnapshotCanLeaveOutOurOwnNumberAndReportAsItGoes() {
        var peers = RosterMembership()
        peers.apply(snapshot: [helpers.online("B", "bob"), helpers.online("ME", "me")])
        var reported: [RosterChange] = []
        peers.apply(snapshot: [helpers.online("ME", "me"), helpers.online("C", "cid"), helpers.online("A", "abe")], excluding: "ME") {
            reported.append($0)
        }
        #expect(
            reported == [
                .left(helpers.offline(helpers.online("B", "bob"))), .left(helpers.offline(helpers.online("ME", "me"))),
                .joined(helpers.online("A", "abe")), .joined(helpers.online("C", "cid")),
            ])
        #expect(peers[phoneNumber: "ME"] == nil)
        #expect(peers.count == 2)
    }

    @Test func randomPresenceGivesTheSameChangesAsTheOrderedRoster() {
        var generator = RosterTests.SeededGenerator(state: 42)
        var peers = RosterMembership()
        var roster = Roster()
        for step in 0..<20_000 {
            let number = "p\(Int.random(in: 0..<300, using: &generator))"
            let nick = ["ann", "Bob", "cid", "ANN", "dee"][Int.random(in: 0..<5, using: &generator)]
            if step % 2_000 == 1_999 {
                let snapshot = (0..<150).map { _ in helpers.online("p\(Int.random(in: 0..<300, using: &generator))", nick) }
                #expect(peers.apply(snapshot: snapshot) == roster.apply(snapshot: snapshot))
                continue
            }
            let entry = Bool.random(using: &generator) ? helpers.online(number, nick) : helpers.offline(helpers.online(number))
            #expect(peers.apply(change: entry) == roster.apply(change: entry))
        }
        #expect(Roster(peers) == roster)
        #expect(helpers.numbers(Roster(peers)) == helpers.bruteForceOrder(peers.clients))
        #expect(Roster(peers).clients(nicknamed: "ann").map(\.phoneNumber) == roster.clients(nicknamed: "ANN").map(\.phoneNumber))
    }
}
