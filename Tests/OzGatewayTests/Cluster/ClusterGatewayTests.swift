import Foundation
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// Gateway nodes of one cluster on a real PostgreSQL, with real WebSockets over loopback: members on different nodes
/// see each other, talk in one order, and an extension's second login replaces the first wherever each logged in.
@Suite("Cluster: rooms across gateway nodes")
struct ClusterGatewayTests {
    static func nick(_ name: String) -> JSONObject { ["Nickname": .string(name)] }

    @Test func membersOnThreeNodesSeeEachOtherAndTalkInOneOrder() async throws {
        try await ClusterTestbed.with(nodes: 3) { cluster in
            let ports = cluster.ports
            let (ann, annGrant) = try await TestSocket.join(port: ports[0], token: TestGateway.lobbyToken, properties: Self.nick("Ann"))
            let annNumber = try #require(annGrant.grantedNumber)
            #expect(annGrant.grantedClients == [])
            let (bob, bobGrant) = try await TestSocket.join(port: ports[1], token: TestGateway.lobbyToken, properties: Self.nick("Bob"))
            let bobNumber = try #require(bobGrant.grantedNumber)
            // A member granted on another node is in the snapshot.
            #expect(bobGrant.grantedClients?.map(\.phoneNumber) == [annNumber])
            #expect(try await ann.presenceChanges(count: 1).map(\.phoneNumber) == [bobNumber])
            let (cat, catGrant) = try await TestSocket.join(port: ports[2], token: TestGateway.lobbyToken, properties: Self.nick("Cat"))
            let catNumber = try #require(catGrant.grantedNumber)
            #expect(catGrant.grantedClients?.map(\.phoneNumber) == [annNumber, bobNumber])
            #expect(try await ann.presenceChanges(count: 1).map(\.phoneNumber) == [catNumber])
            #expect(try await bob.presenceChanges(count: 1).map(\.phoneNumber) == [catNumber])

            // Messages from all three nodes at once: every member gets all of them, in one order, with the same ids.
            for (socket, name) in [(ann, "Ann"), (bob, "Bob"), (cat, "Cat")] {
                for i in 0..<20 { try await socket.send(.message(to: ClientFrame.room, text: "\(name) \(i)", nonce: "\(name)-\(i)")) }
            }
            var orders: [[String]] = []
            for socket in [ann, bob, cat] {
                var ids: [String] = []
                var texts: [String] = []
                while ids.count < 60 {
                    let message = try #require(try await socket.next(matching: { $0.chatMessage != nil }).chatMessage)
                    ids.append(message.id)
                    texts.append(message.text)
                    #expect(message.fromProperties?["Nickname"] != nil)
                }
                #expect(Set(texts).count == 60)
                orders.append(ids)
            }
            #expect(orders[0] == orders[1])
            #expect(orders[1] == orders[2])

            // A private message reaches its recipient on another node, and its sender; nobody else.
            try await cat.send(.message(to: annNumber, text: "psst", nonce: "p1"))
            let toAnn = try #require(try await ann.next(matching: { $0.chatMessage != nil }).chatMessage)
            #expect(toAnn.text == "psst" && toAnn.from == catNumber && toAnn.to == annNumber)
            let echo = try #require(try await cat.next(matching: { $0.chatMessage != nil }).chatMessage)
            #expect(echo.id == toAnn.id)
            // Someone online on no node is unknown.
            try await cat.send(.message(to: "ZZZZZ", text: "anyone?", nonce: "p2"))
            let error = try await cat.next(matching: { $0.errorCode != nil })
            #expect(error.errorCode == .unknownRecipient)
            try await bob.send(.message(to: ClientFrame.room, text: "after", nonce: nil))
            let next = try #require(try await ann.next(matching: { $0.chatMessage != nil }).chatMessage)
            #expect(next.text == "after")  // Ann never saw "anyone?" nor anything private to others

            // Leaving on one node is OFFLINE on the others.
            await bob.close()
            let gone = try await cat.presenceChanges(count: 1)
            #expect(gone.map(\.phoneNumber) == [bobNumber] && gone.first?.status == .offline)
            await ann.close()
            await cat.close()
        }
    }

    @Test func aSnapshotAndLiveEventsAreCutAtOneSequence() async throws {
        // A storm of joins spread over two nodes: every member's snapshot plus the changes after it name everyone.
        try await ClusterTestbed.with(nodes: 2) { cluster in
            let ports = cluster.ports
            let count = 30
            let sockets = try await withThrowingTaskGroup(of: (TestSocket, ServerFrame).self) { group in
                for i in 0..<count {
                    group.addTask { try await TestSocket.join(port: ports[i % 2], token: TestGateway.lobbyToken, properties: Self.nick("m\(i)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let numbers = Set(sockets.compactMap { $0.1.grantedNumber })
            #expect(numbers.count == count)
            for (socket, grant) in sockets {
                let me = try #require(grant.grantedNumber)
                var seen = Set(grant.grantedClients?.map(\.phoneNumber) ?? [])
                #expect(!seen.contains(me))
                let missing = count - 1 - seen.count
                if missing > 0 {
                    let changes = try await socket.presenceChanges(count: missing, timeout: .seconds(10))
                    // Nothing before its own join is repeated, nothing is missed.
                    #expect(changes.allSatisfy { $0.status == .online && !seen.contains($0.phoneNumber) })
                    seen.formUnion(changes.map(\.phoneNumber))
                }
                #expect(seen == numbers.subtracting([me]))
            }
            for (socket, _) in sockets { await socket.close() }
        }
    }

    @Test func aSecondExtensionLoginOnAnotherNodeReplacesTheFirst() async throws {
        try await ClusterTestbed.with(nodes: 3) { cluster in
            let ports = cluster.ports
            let (watcher, _) = try await TestSocket.join(port: ports[2], token: TestGateway.lobbyToken, properties: Self.nick("W"))
            func ext(_ nick: String) -> JSONObject {
                ["Nickname": .string(nick), "Password": .string(TestGateway.extensionPassword)]
            }
            let (first, firstGrant) = try await TestSocket.join(port: ports[0], token: TestGateway.extensionNumber, properties: ext("old"))
            #expect(firstGrant.grantedNumber == TestGateway.extensionNumber)
            #expect(try await watcher.presenceChanges(count: 1).map(\.nickname) == ["old"])
            let (second, secondGrant) = try await TestSocket.join(port: ports[1], token: TestGateway.extensionNumber, properties: ext("new"))
            #expect(secondGrant.grantedNumber == TestGateway.extensionNumber)
            // The new session's snapshot does not hold the old one.
            #expect(secondGrant.grantedClients?.contains { $0.phoneNumber == TestGateway.extensionNumber } == false)
            let closed = try await first.next(matching: { if case .connectionClosed = $0 { true } else { false } })
            #expect(closed == .connectionClosed(reason: .replaced))
            let changes = try await watcher.presenceChanges(count: 2)
            #expect(changes.map(\.status) == [.offline, .online])
            #expect(changes.map(\.nickname) == ["old", "new"])
            await second.close()
            await watcher.close()
        }
    }

    @Test func simultaneousExtensionLoginsOnTwoNodesLeaveExactlyOne() async throws {
        try await ClusterTestbed.with(nodes: 2) { cluster in
            let ports = cluster.ports
            let (watcher, _) = try await TestSocket.join(port: ports[0], token: TestGateway.lobbyToken, properties: Self.nick("W"))
            for round in 0..<5 {
                let properties: JSONObject = ["Nickname": .string("r\(round)"), "Password": .string(TestGateway.extensionPassword)]
                async let a = TestSocket.join(port: ports[0], token: TestGateway.extensionNumber, properties: properties)
                async let b = TestSocket.join(port: ports[1], token: TestGateway.extensionNumber, properties: properties)
                let logins = try await [a, b]
                #expect(logins.allSatisfy { $0.1.grantedNumber == TestGateway.extensionNumber })
                // Exactly one is replaced; the other stays.
                var replaced = 0
                for (socket, _) in logins {
                    if let frame = try? await socket.next(matching: { if case .connectionClosed = $0 { true } else { false } }, timeout: .seconds(2))
                    {
                        #expect(frame == .connectionClosed(reason: .replaced))
                        replaced += 1
                    }
                }
                #expect(replaced == 1, "round \(round)")
                for (socket, _) in logins { await socket.close() }
            }
            // Each login came ONLINE once and went OFFLINE once, in pairs: no doubled presence.
            let changes = try await watcher.presenceChanges(count: 20, timeout: .seconds(10))
            #expect(changes.filter { $0.status == .online }.count == 10)
            #expect(changes.filter { $0.status == .offline }.count == 10)
            await watcher.close()
        }
    }
}
