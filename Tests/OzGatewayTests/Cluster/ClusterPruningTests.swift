import Foundation
import OzCluster
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// `oz_events` stays bounded: room messages are kept as `[history]` says, presence events only while a node could
/// need them; a node started afterwards loads what is kept, and `since` an id pruned away is incomplete.
@Suite("Cluster: pruning old events", .serialized)
struct ClusterPruningTests {
    @Test(.timeLimit(.minutes(3)))
    func messagesBeyondTheRetentionAndOldPresenceGoAndANewNodeSeesWhatIsKept() async throws {
        var settings = ClusterNode.Settings()
        settings.retention = HistoryRetention(messagesPerRoom: 5, maxAgeDays: 30)
        settings.pruneInterval = .milliseconds(200)
        settings.eventAge = .zero
        let logs = CapturedLog()
        try await ClusterTestbed.with(nodes: 1, settings: settings, logs: logs) { cluster in
            let (ann, annGrant) = try await TestSocket.join(
                port: cluster.ports[0], token: TestGateway.lobbyToken, properties: ["Nickname": "Ann"])
            let said = try await GatewayHistoryTests.say(ann, 12)
            // Seven messages and Ann's ONLINE, over however many passes.
            let deadline = ContinuousClock.now + .seconds(60)
            while Self.pruned(logs) < 8, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(Self.pruned(logs) == 8)

            try await cluster.addNode()
            let (bob, grant) = try await TestSocket.join(port: cluster.ports[1], token: TestGateway.lobbyToken, recall: .newest(200))
            // Ann's ONLINE event is gone, but she is still a member: the snapshot comes from the members, not the events.
            #expect(grant.grantedClients?.map(\.phoneNumber) == [try #require(annGrant.grantedNumber)])
            let kept = try await GatewayHistoryTests.history(bob)
            #expect(kept.messages.map(\.text) == said.suffix(5).map(\.text))
            let (cat, _) = try await TestSocket.join(port: cluster.ports[1], token: TestGateway.lobbyToken, recall: .since(said[0].id))
            let resumed = try await GatewayHistoryTests.history(cat)
            #expect(resumed.complete == false)
            #expect(resumed.messages.map(\.text) == said.suffix(5).map(\.text))
            for socket in [ann, bob, cat] { await socket.close() }
        }
    }

    /// Events the node's log says it pruned, in all.
    static func pruned(_ logs: CapturedLog) -> Int {
        logs.lines("cluster: pruned old events").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("events=") }.flatMap { Int($0.dropFirst("events=".count)) }
        }.reduce(0, +)
    }
}
