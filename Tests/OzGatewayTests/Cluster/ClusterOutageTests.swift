import Foundation
import OzCluster
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// PostgreSQL going away and coming back under a cluster (durable settings: fsync and synchronous_commit on): members
/// stay connected, messages meanwhile are refused as UNAVAILABLE and logins as "cluster store unavailable", and after
/// the restart the nodes catch up and the room goes on, with no message lost or doubled.
@Suite("Cluster: PostgreSQL down and back", .serialized)
struct ClusterOutageTests {
    @Test(.timeLimit(.minutes(3)))
    func membersStayAndTheRoomGoesOnAfterPostgresRestarts() async throws {
        try await ClusterTestbed.with(nodes: 2, durable: true) { cluster in
            let ports = cluster.ports
            let (ann, annGrant) = try await TestSocket.join(port: ports[0], token: TestGateway.lobbyToken, properties: ["Nickname": "Ann"])
            let (bob, bobGrant) = try await TestSocket.join(port: ports[1], token: TestGateway.lobbyToken, properties: ["Nickname": "Bob"])
            _ = try await ann.presenceChanges(count: 1)
            try await ann.send(.message(to: ClientFrame.room, text: "before", nonce: "n1"))
            let before = try #require(try await bob.next(matching: { $0.chatMessage != nil }).chatMessage)
            _ = try await ann.next(matching: { $0.chatMessage != nil })

            try cluster.server.halt()
            try await waitFor("both nodes see the outage") { cluster.nodes.allSatisfy { !$0.node.isAvailable } }
            try await ann.send(.message(to: ClientFrame.room, text: "during", nonce: "n2"))
            let refused = try await ann.next(matching: { $0.errorCode != nil })
            #expect(refused == .error(code: .unavailable, message: "the cluster store is unavailable; the message was not sent", nonce: "n2"))
            let (late, lateReply) = try await TestSocket.join(port: ports[1], token: TestGateway.lobbyToken)
            #expect(lateReply == .accessDenied(reason: "cluster store unavailable"))
            await late.close()

            try cluster.server.start()
            try await waitFor("both nodes are back") { cluster.nodes.allSatisfy { $0.node.isAvailable } }
            // Both members are still connected and still in the room.
            let (cat, catGrant) = try await TestSocket.join(port: ports[1], token: TestGateway.lobbyToken, properties: ["Nickname": "Cat"])
            let both = Set([try #require(annGrant.grantedNumber), try #require(bobGrant.grantedNumber)])
            #expect(Set(catGrant.grantedClients?.map(\.phoneNumber) ?? []) == both)
            try await bob.send(.message(to: ClientFrame.room, text: "after", nonce: "n3"))
            let after = try #require(try await ann.next(matching: { $0.chatMessage != nil }).chatMessage)
            #expect(after.text == "after")
            // Ids keep growing across the restart.
            let seq = { (id: String) in Int(id.split(separator: "-").last ?? "") ?? 0 }
            #expect(seq(after.id) > seq(before.id))
            for socket in [ann, bob, cat] { await socket.close() }
        }
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestSocket.Timeout(description: "not within \(timeout): \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
