import Foundation
import OzClient
import OzGateway
import OzProtocol
import TestSupport
import Testing

/// History and resume (OzWire v1.1) between a real `OzClient` and a real gateway keeping history in memory; drops are
/// real TCP drops, made by cutting a proxy between the client and the gateway.
@Suite("OzClient history and resume")
struct OzClientHistoryTests {
    func join(
        port: Int, nick: String, history: Int = 200, configuration: OzClientConfiguration = .fastRetries
    ) async throws -> (OzClient, EventRecorder) {
        var configuration = configuration
        configuration.history = history
        let client = OzClient(configuration: configuration)
        let recorder = EventRecorder(client)
        try await client.connect(serverAddress: "127.0.0.1:\(port)", token: ClientTestGateway.token, properties: ["Nickname": .string(nick)])
        _ = try await recorder.waitForState("ACCESS_GRANTED")
        return (client, recorder)
    }

    /// Sends `texts` in order and waits for their echoes.
    func say(_ texts: [String], _ client: OzClient, _ recorder: EventRecorder) async throws {
        for text in texts { try await client.send(text) }
        for text in texts { try await recorder.wait(for: "echo of \(text)") { $0.chat?.text == text } }
    }

    /// Texts of the room messages a client showed, live or from history, in order.
    func shown(_ recorder: EventRecorder) -> [String] {
        recorder.events.flatMap { event -> [String] in
            switch event {
            case .message(let message) where message.isRoomMessage: [message.text]
            case .history(let batch) where batch.kind != .older: batch.messages.map(\.text)
            default: []
            }
        }
    }

    @Test func aJoinGetsTheNewestMessagesBeforeAnythingLive() async throws {
        let gateway = try await ClientTestGateway.start(store: MemoryMessageStore())
        let (ann, annEvents) = try await join(port: gateway.port, nick: "Ann")
        try await say(["one", "two", "three"], ann, annEvents)
        let (bob, bobEvents) = try await join(port: gateway.port, nick: "Bob", history: 2)
        let event = try await bobEvents.wait(for: "history") { if case .history = $0 { true } else { false } }
        guard case .history(let batch) = event else { return }
        #expect(batch.kind == .recent)
        #expect(batch.messages.map(\.text) == ["two", "three"])
        #expect(batch.more)
        #expect(batch.messages.first?.fromProperties?["Nickname"] == .string("Ann"))
        try await say(["four"], ann, annEvents)
        try await bobEvents.wait(for: "four") { $0.chat?.text == "four" }
        #expect(shown(bobEvents) == ["two", "three", "four"])
        // Scrolling back: the page before the oldest shown.
        try await bob.requestOlderHistory(before: batch.oldestID, limit: 10)
        let older = try await bobEvents.wait(for: "older page") { if case .history(let b) = $0 { b.kind == .older } else { false } }
        guard case .history(let page) = older else { return }
        #expect(page.messages.map(\.text) == ["one"])
        #expect(!page.more)
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    @Test func aResumeAfterADropMissesNothingAndRepeatsNothing() async throws {
        let gateway = try await ClientTestGateway.start(store: MemoryMessageStore())
        let proxy = try CuttableProxy(targetPort: gateway.port)
        defer { proxy.stop() }
        let (ann, annEvents) = try await join(port: gateway.port, nick: "Ann")
        let (bob, bobEvents) = try await join(port: proxy.port, nick: "Bob")
        try await say(["before"], ann, annEvents)
        try await bobEvents.wait(for: "before") { $0.chat?.text == "before" }
        proxy.cut()
        _ = try await bobEvents.waitForState("CONNECTION_CLOSED")
        try await say(["while away 1", "while away 2"], ann, annEvents)
        proxy.restore()
        _ = try await bobEvents.waitForState("ACCESS_GRANTED", count: 2)
        try await say(["after"], ann, annEvents)
        try await bobEvents.wait(for: "after") { $0.chat?.text == "after" }
        #expect(shown(bobEvents) == ["before", "while away 1", "while away 2", "after"])
        #expect(!bobEvents.events.contains(.gap))
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    /// Bob's message reached the gateway but its echo was lost with the connection: the resume confirms it.
    @Test func aMessageWhoseEchoWasLostIsConfirmedNotSentAgain() async throws {
        let gateway = try await ClientTestGateway.start(store: MemoryMessageStore())
        let proxy = try CuttableProxy(targetPort: gateway.port)
        defer { proxy.stop() }
        let (ann, annEvents) = try await join(port: gateway.port, nick: "Ann")
        let (bob, bobEvents) = try await join(port: proxy.port, nick: "Bob")
        proxy.hold(.down)
        let nonce = try await bob.send("echo lost")
        try await annEvents.wait(for: "echo lost at Ann") { $0.chat?.text == "echo lost" }
        proxy.cut()
        _ = try await bobEvents.waitForState("CONNECTION_CLOSED")
        proxy.restore()
        try await bobEvents.wait(for: "confirmed") { $0 == .confirmed(nonce: nonce) }
        try await bob.send("next")
        try await annEvents.wait(for: "next at Ann") { $0.chat?.text == "next" }
        // Ann may get it before Bob's own echo comes back: Bob's "next" is pending until then.
        try await bobEvents.wait(for: "echo of next at Bob") { $0.chat?.text == "next" }
        let copies = annEvents.events.filter { $0.chat?.text == "echo lost" }
        #expect(copies.count == 1)
        #expect(await bob.pendingMessages.map(\.text) == [])
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    /// Bob types while his session is on its way back: the room message waits and goes out once, after the resume.
    @Test func aRoomMessageTypedWhileReconnectingGoesOutOnceResumed() async throws {
        let gateway = try await ClientTestGateway.start(store: MemoryMessageStore())
        let proxy = try CuttableProxy(targetPort: gateway.port)
        defer { proxy.stop() }
        let (ann, annEvents) = try await join(port: gateway.port, nick: "Ann")
        let (bob, bobEvents) = try await join(port: proxy.port, nick: "Bob")
        proxy.cut()
        _ = try await bobEvents.waitForState("CONNECTION_CLOSED")
        let nonce = try await bob.send("typed offline")
        await #expect(throws: OzClientError.notConnected) { try await bob.send("private", to: "Xy999") }
        proxy.restore()
        try await bobEvents.wait(for: "echo of the queued message") { $0.chat?.nonce == nonce }
        try await say(["next"], bob, bobEvents)
        try await annEvents.wait(for: "next at Ann") { $0.chat?.text == "next" }
        let texts = annEvents.events.compactMap { $0.chat?.text }.filter { $0 == "typed offline" || $0 == "next" }
        #expect(texts == ["typed offline", "next"])
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    /// Bob's message never reached the gateway: the resume does not find it, so it is sent again, once.
    @Test func aMessageThatNeverArrivedIsSentAgainOnce() async throws {
        let gateway = try await ClientTestGateway.start(store: MemoryMessageStore())
        let proxy = try CuttableProxy(targetPort: gateway.port)
        defer { proxy.stop() }
        let (ann, annEvents) = try await join(port: gateway.port, nick: "Ann")
        let (bob, bobEvents) = try await join(port: proxy.port, nick: "Bob")
        proxy.hold(.up)
        let nonce = try await bob.send("never arrived")
        try await bobEvents.wait(for: "pending") { if case .pending(let m) = $0 { m.nonce == nonce } else { false } }
        proxy.cut()
        _ = try await bobEvents.waitForState("CONNECTION_CLOSED")
        let early = annEvents.events.filter { $0.chat?.text == "never arrived" }
        #expect(early.isEmpty)
        proxy.restore()
        try await bobEvents.wait(for: "echo of the resend") { $0.chat?.nonce == nonce }
        try await bob.send("next")
        try await annEvents.wait(for: "next at Ann") { $0.chat?.text == "next" }
        // Ann may get it before Bob's own echo comes back: Bob's "next" is pending until then.
        try await bobEvents.wait(for: "echo of next at Bob") { $0.chat?.text == "next" }
        let texts = annEvents.events.compactMap { $0.chat?.text }.filter { $0 == "never arrived" || $0 == "next" }
        #expect(texts == ["never arrived", "next"])
        #expect(await bob.pendingMessages.isEmpty)
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    /// A message the gateway refuses (here: to a member not in the room) is reported undelivered at once, with the
    /// gateway's reason, and is not left pending for the next resume to send again.
    @Test func aRefusedMessageIsUndeliveredAtOnceNotPending() async throws {
        let gateway = try await ClientTestGateway.start(store: MemoryMessageStore())
        let (ann, events) = try await join(port: gateway.port, nick: "Ann")
        let nonce = try await ann.send("anyone?", to: "NoOne")
        let event = try await events.wait(for: "undelivered") { if case .undelivered = $0 { true } else { false } }
        guard case .undelivered(let message, let reason) = event else { return }
        #expect(message.nonce == nonce && message.text == "anyone?")
        #expect(reason.hasPrefix("UNKNOWN_RECIPIENT"))
        #expect(await ann.pendingMessages.isEmpty)
        #expect(!events.events.contains { if case .error = $0 { true } else { false } })
        await ann.shutdown()
        await gateway.shutdown()
    }
}
