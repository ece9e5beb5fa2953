import Foundation
import OzClient
import OzGateway
import OzProtocol
import Testing

@Suite("OzClient against a real gateway")
struct OzClientTests {
    func join(_ gateway: Gateway, nick: String, configuration: OzClientConfiguration = .fastRetries) async throws -> (OzClient, EventRecorder) {
        let client = OzClient(configuration: configuration)
        let recorder = EventRecorder(client)
        try await client.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: ClientTestGateway.token, properties: ["Nickname": .string(nick)])
        _ = try await recorder.waitForState("ACCESS_GRANTED")
        return (client, recorder)
    }

    @Test func grantReportsStateThenOnePeerEventPerSnapshotEntry() async throws {
        let gateway = try await ClientTestGateway.start()
        let (ann, _) = try await join(gateway, nick: "Ann")
        let (bob, bobEvents) = try await join(gateway, nick: "Bob")
        let annNumber = try #require(await ann.phoneNumber)
        let peer = try await bobEvents.wait(for: "Ann online") { $0.client != nil }
        #expect(peer.client == ClientInfo(phoneNumber: annNumber, status: .online, properties: ["Nickname": "Ann"]))
        #expect(bobEvents.states.map(\.wireName) == ["CONNECTING", "ACCESS_GRANTED"])
        #expect(await bob.roster.count == 1)
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    @Test func deniedIsNotRetried() async throws {
        let gateway = try await ClientTestGateway.start()
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: "wrong")
        let state = try await events.waitForState("ACCESS_DENIED")
        #expect(state == .accessDenied(reason: "unknown token"))
        try await Task.sleep(for: .milliseconds(500))
        #expect(events.states.map(\.wireName) == ["CONNECTING", "ACCESS_DENIED"])
        await client.shutdown()
        await gateway.shutdown()
    }

    @Test func failedConnectionsAreRetriedWithGrowingBackoff() async throws {
        let (port, held) = try ClientTestGateway.refusingPort()
        defer { close(held) }
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(serverAddress: "127.0.0.1:\(port)", token: ClientTestGateway.token)
        // Under a second of backoff, but the suite runs heavy tests alongside: a generous deadline.
        _ = try await events.waitForState("CONNECTION_FAILED", count: 4, timeout: .seconds(60))
        await client.disconnect()
        let timed = events.timedEvents
        let failures = timed.enumerated().compactMap { index, entry -> (RetryPlan, Int)? in
            if case .connectionState(.connectionFailed(_, let retry?)) = entry.event { (retry, index) } else { nil }
        }
        #expect(failures.prefix(4).map(\.0.delay) == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400)])
        // Each retry starts no earlier than the deadline its failure announced.
        for (plan, index) in failures.dropLast() {
            let retry = timed[(index + 1)...].first { if case .connectionState(.connecting) = $0.event { true } else { false } }
            #expect(retry.map { $0.at >= plan.deadline } == true)
        }
        if case .connectionFailed(let reason, _) = events.states[1] { #expect(reason == "connection refused") }
        await client.shutdown()
    }

    @Test func gatewayShutdownIsConnectionClosedAndTheClientComesBackWhenTheGatewayReturns() async throws {
        let first = try await ClientTestGateway.start()
        let port = first.port
        let (client, events) = try await join(first, nick: "Ann")
        await first.shutdown()
        let closed = try await events.waitForState("CONNECTION_CLOSED")
        guard case .connectionClosed(.gateway(.shutdown), let retry) = closed else {
            Issue.record("expected CONNECTION_CLOSED shutdown, got \(closed)")
            return
        }
        #expect(retry != nil)
        let second = try await ClientTestGateway.start(port: port)
        _ = try await events.waitForState("ACCESS_GRANTED", count: 2)
        await client.shutdown()
        await second.shutdown()
    }

    @Test func replacedIsNotRetried() async throws {
        let gateway = try await ClientTestGateway.start()
        let properties: JSONObject = ["Nickname": "John", "Password": .string(ClientTestGateway.extensionPassword)]
        let first = OzClient(configuration: .fastRetries)
        let firstEvents = EventRecorder(first)
        try await first.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: ClientTestGateway.extensionNumber, properties: properties)
        _ = try await firstEvents.waitForState("ACCESS_GRANTED")
        let second = OzClient(configuration: .fastRetries)
        let secondEvents = EventRecorder(second)
        try await second.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: ClientTestGateway.extensionNumber, properties: properties)
        _ = try await secondEvents.waitForState("ACCESS_GRANTED")
        let closed = try await firstEvents.waitForState("CONNECTION_CLOSED")
        #expect(closed == .connectionClosed(reason: .gateway(.replaced), retry: nil))
        try await Task.sleep(for: .milliseconds(500))
        #expect(firstEvents.states.map(\.wireName) == ["CONNECTING", "ACCESS_GRANTED", "CONNECTION_CLOSED"])
        await first.shutdown()
        await second.shutdown()
        await gateway.shutdown()
    }

    @Test func propertiesRoundTripThroughTheGateway() async throws {
        let gateway = try await ClientTestGateway.start()
        let properties = try #require(
            try JSONParser.parse(#"{"Nickname":"Zoë 😀 李","Avatar":"http://x/1.jpg","deep":{"a":[1,2.50,{"b":null}],"t":true},"Password":"s"}"#)
                .objectValue)
        let sender = OzClient()
        try await sender.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: ClientTestGateway.token, properties: properties)
        let senderEvents = EventRecorder(sender)
        _ = try await senderEvents.waitForState("ACCESS_GRANTED")
        let (watcher, watcherEvents) = try await join(gateway, nick: "W")
        let seen = try #require(try await watcherEvents.wait(for: "peer") { $0.client != nil }.client)
        #expect(seen.properties == properties.withoutPasswords)
        #expect(
            JSONWriter.string(.object(seen.properties))
                == #"{"Nickname":"Zoë 😀 李","Avatar":"http://x/1.jpg","deep":{"a":[1,2.50,{"b":null}],"t":true}}"#)
        await sender.shutdown()
        await watcher.shutdown()
        await gateway.shutdown()
    }

    @Test func messagesFlowBothWaysAndPrivateOnesReachOnlyTheirRecipient() async throws {
        let gateway = try await ClientTestGateway.start()
        let (ann, annEvents) = try await join(gateway, nick: "Ann")
        let (bob, bobEvents) = try await join(gateway, nick: "Bob")
        let (cid, cidEvents) = try await join(gateway, nick: "Cid")
        let bobNumber = try #require(await bob.phoneNumber)
        try await ann.send("hello room")
        try await bob.send("hi Ann")
        try await ann.send("just for Bob", to: bobNumber)
        try await bobEvents.wait(for: "private", { $0.chat?.text == "just for Bob" })
        try await annEvents.wait(for: "bob's", { $0.chat?.text == "hi Ann" })
        try await cidEvents.wait(for: "both room messages", count: 2, { $0.chat != nil })
        try await Task.sleep(for: .milliseconds(200))
        #expect(!cidEvents.events.contains { $0.chat?.text == "just for Bob" })
        #expect(annEvents.events.contains { $0.chat?.text == "just for Bob" && $0.chat?.to == bobNumber })
        await #expect(throws: OzClientError.invalidText(scalars: 0)) { try await ann.send("") }
        for client in [ann, bob, cid] { await client.shutdown() }
        await gateway.shutdown()
    }

    @Test func afterAReconnectOnlyTheDifferencesAreReported() async throws {
        let first = try await ClientTestGateway.start()
        let port = first.port
        // Ann retries after a fixed 6 s, so Bob (an extension: the same number every time; retrying every 200 ms at
        // most) is back before her, even on a machine so loaded that his reconnect takes seconds.
        let slow = OzClientConfiguration(machine: .init(backoff: Backoff(base: .seconds(6), cap: .seconds(6))), sample: { $0.upperBound })
        let (ann, events) = try await join(first, nick: "Ann", configuration: slow)
        let bob = OzClient(configuration: OzClientConfiguration(machine: .init(backoff: Backoff(base: .milliseconds(50), cap: .milliseconds(200)))))
        let bobEvents = EventRecorder(bob)
        try await bob.connect(
            serverAddress: "127.0.0.1:\(port)", token: ClientTestGateway.extensionNumber,
            properties: ["Nickname": "Bob", "Password": .string(ClientTestGateway.extensionPassword)])
        let (cid, _) = try await join(first, nick: "Cid")
        try await events.wait(for: "two peers", count: 2) { $0.client?.status == .online }

        await first.shutdown()
        _ = try await events.waitForState("CONNECTION_CLOSED")
        await cid.shutdown()  // Cid leaves while Ann is away
        let second = try await ClientTestGateway.start(port: port)
        _ = try await bobEvents.waitForState("ACCESS_GRANTED", count: 2)
        let (dan, _) = try await join(second, nick: "Dan")
        _ = try await events.waitForState("ACCESS_GRANTED", count: 2, timeout: .seconds(20))
        try await events.wait(for: "Dan", count: 1) { $0.client?.nickname == "Dan" }
        try await Task.sleep(for: .milliseconds(200))
        // Everything reported since the second grant: Cid left while Ann was away, Dan is new, Bob is not repeated.
        let all = events.events
        let regranted = all.lastIndex { if case .connectionState(.accessGranted) = $0 { true } else { false } } ?? 0
        let after = all[regranted...].compactMap(\.client)
        #expect(
            after.map { "\($0.nickname ?? "?") \($0.status.rawValue)" }.sorted() == ["Cid OFFLINE", "Dan ONLINE"],
            "Ann: \(all)\nBob: \(bobEvents.events)")
        #expect(await ann.roster.map(\.displayName) == ["Bob", "Dan"])
        for client in [ann, bob, dan] { await client.shutdown() }
        await second.shutdown()
    }
}
