import Foundation
import Logging
import OzProtocol
import Testing

@testable import OzGateway

/// OzWire v1.1 against a real gateway over loopback: history at grant, `since`, pages, nonces, the seam.
@Suite("Gateway: history and resume")
struct GatewayHistoryTests {
    /// A gateway whose lobby keeps history in `store` (a fresh in-memory store unless given).
    static func withHistory<T>(
        store: any MessageStore = MemoryMessageStore(), retention: HistoryRetention = .standard, _ body: (Gateway) async throws -> T
    ) async throws -> T {
        let history = try GatewayHistory(store: store, rooms: ["lobby", "other", "old"], retention: retention, logger: Logger(label: "test"))
        // No message-rate limit: the tests send hundreds of messages as fast as the socket takes them.
        return try await TestGateway.with(
            {
                $0.history = history
                $0.limits = .unlimited
            }, body)
    }

    /// Sends `count` room messages from `socket` and returns their echoes.
    static func say(_ socket: TestSocket, _ count: Int, prefix: String = "m", nonce: Bool = false) async throws -> [ChatMessage] {
        var echoes: [ChatMessage] = []
        for i in 0..<count {
            try await socket.send(.message(to: "*", text: "\(prefix)\(i)", nonce: nonce ? "nonce-\(prefix)\(i)" : nil))
            echoes.append(try #require(try await socket.next(matching: { $0.chatMessage != nil }, timeout: .seconds(30)).chatMessage))
        }
        return echoes
    }

    static func history(_ socket: TestSocket) async throws -> HistoryPage {
        let frame = try await socket.next(matching: { if case .history = $0 { true } else { false } }, timeout: .seconds(30))
        guard case .history(let page) = frame else { throw TestSocket.Timeout(description: "no history frame") }
        return page
    }

    @Test func joinGetsTheNewestMessagesOldestFirstWithSenderPropertiesAndNonce() async throws {
        try await Self.withHistory { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "ann"])
            let said = try await Self.say(a, 5, nonce: true)
            #expect(said[0].fromProperties == ["Nickname": "ann"] && said[0].nonce == "nonce-m0")
            let (b, grant) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .newest(3))
            #expect(grant.grantedNumber != nil)
            // The history frame comes right after the grant, before anything else.
            let first = try await b.nextFrame(timeout: .seconds(30))
            guard case .history(let page) = first else {
                Issue.record("expected history, got \(first)")
                return
            }
            #expect(page.messages == Array(said.suffix(3)))
            #expect(page.more == true && page.complete == nil)
            await a.close()
            await b.close()
        }
    }

    @Test func grantSaysHistoryAndZeroOrNoneSendsNoFrame() async throws {
        try await Self.withHistory { gateway in
            let socket = try await TestSocket.connect(port: gateway.port)
            try await socket.sendText(#"{"type":"connect","token":"\#(TestGateway.lobbyToken)","properties":{},"history":0}"#)
            let grant = try await socket.nextText(timeout: .seconds(30))
            #expect(grant.contains(#""history":true"#))
            try await socket.send(.message(to: "*", text: "live"))
            // The next frame is the echo: no history frame for history 0.
            #expect(try await socket.nextFrame(timeout: .seconds(30)).chatMessage?.text == "live")
        }
    }

    @Test func resumeWithSinceSendsExactlyWhatWasMissed() async throws {
        try await Self.withHistory { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let before = try await Self.say(a, 3, prefix: "before")
            let during = try await Self.say(a, 4, prefix: "during")
            let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(before[2].id))
            let page = try await Self.history(b)
            #expect(page.messages.map(\.id) == during.map(\.id))
            #expect(page.complete == true && page.more == true)
            // Up to date: nothing after the last id, complete.
            let (c, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(during[3].id))
            let empty = try await Self.history(c)
            #expect(empty.messages.isEmpty && empty.complete == true && empty.more == false)
        }
    }

    @Test func unknownOrForeignSinceIsIncompleteWithTheNewest() async throws {
        try await Self.withHistory { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let said = try await Self.say(a, 3)
            for id in ["nonsense", "zzzz-1", said[2].id + "0"] {
                let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(id))
                let page = try await Self.history(b)
                #expect(page.complete == false, "since \(id)")
                #expect(page.messages.map(\.id) == said.map(\.id), "since \(id)")
                await b.close()
            }
        }
    }

    @Test func sinceOlderThanAThousandMessagesIsIncompleteAndCapped() async throws {
        try await Self.withHistory { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let said = try await Self.say(a, 1_005)
            let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(said[0].id))
            let page = try await Self.history(b)
            #expect(page.messages.count == 1_000 && page.complete == false && page.more == true)
            #expect(page.messages.last?.id == said.last?.id)
            // Exactly 1,000 after the id: complete.
            let (c, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(said[4].id))
            let full = try await Self.history(c)
            #expect(full.messages.count == 1_000 && full.complete == true)
        }
    }

    @Test func pagesWalkBackToTheFirstMessageThroughTheStore() async throws {
        // 1,300 messages: the newest 1,000 are kept in memory, the rest are read from the store.
        try await Self.withHistory { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let said = try await Self.say(a, 1_300)
            var collected: [ChatMessage] = []
            var before: String?
            var pages = 0
            while true {
                try await a.send(.history(HistoryQuery(before: before, limit: 200, ref: "p\(pages)")))
                let page = try await Self.history(a)
                #expect(page.ref == "p\(pages)" && page.before == before)
                collected.insert(contentsOf: page.messages, at: 0)
                pages += 1
                guard page.more else { break }
                before = try #require(page.messages.first?.id)
            }
            #expect(pages == 7)
            #expect(collected.map(\.id) == said.map(\.id))
        }
    }

    @Test func badHistoryRequestsAreErrorsCarryingTheirRef() async throws {
        try await Self.withHistory { gateway in
            let early = try await TestSocket.connect(port: gateway.port)
            try await early.send(.history(HistoryQuery(ref: "x")))
            #expect(try await early.nextFrame().errorCode == .notConnected)
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await a.sendText(#"{"type":"history","limit":201,"ref":"big"}"#)
            let big = try await a.nextText(timeout: .seconds(30))
            #expect(big.contains(#""code":"BAD_FRAME""#) && big.contains(#""ref":"big""#))
            try await a.sendText(#"{"type":"history","before":7,"ref":"num"}"#)
            #expect(try await a.nextText(timeout: .seconds(30)).contains(#""ref":"num""#))
            try await a.send(.history(HistoryQuery(before: "nope-3", ref: "who")))
            let unknown = try await a.nextText(timeout: .seconds(30))
            #expect(unknown.contains(#""code":"UNKNOWN_MESSAGE""#) && unknown.contains(#""ref":"who""#))
            try await a.sendText(#"{"type":"message","to":"*","text":"x","nonce":""}"#)
            #expect(try await a.nextFrame().errorCode == .badFrame)
            // A connect with a history out of range is not granted; a valid one after it is.
            let b = try await TestSocket.connect(port: gateway.port)
            try await b.sendText(#"{"type":"connect","token":"\#(TestGateway.lobbyToken)","history":501}"#)
            #expect(try await b.nextFrame().errorCode == .badFrame)
            try await b.send(.connect(token: TestGateway.lobbyToken, properties: [:]))
            #expect(try await b.nextFrame().grantedNumber != nil)
        }
    }

    @Test func withoutHistoryRequestsGetAnEmptyPageAndGrantsSayNothing() async throws {
        try await TestGateway.with { gateway in
            let socket = try await TestSocket.connect(port: gateway.port)
            try await socket.send(.connect(token: TestGateway.lobbyToken, properties: [:], recall: .newest(50)))
            let grant = try await socket.nextText(timeout: .seconds(30))
            #expect(!grant.contains("history"))
            try await socket.send(.history(HistoryQuery(before: "abcd-1", ref: "r")))
            let page = try await Self.history(socket)
            #expect(page.messages.isEmpty && page.more == false && page.ref == "r")
        }
    }

    /// The seam: while one member talks flat out, others join with `history`; each sees every message exactly once,
    /// in order, across the history frame and live delivery.
    @Test func historyAndLiveDeliveryMeetWithoutGapOrOverlap() async throws {
        try await Self.withHistory { gateway in
            let (talker, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let total = 400
            let talking = Task {
                for i in 0..<total { try await talker.send(.message(to: "*", text: "t\(i)")) }
            }
            var joiners: [TestSocket] = []
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(15))
                let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .newest(500))
                joiners.append(socket)
            }
            try await talking.value
            for socket in joiners {
                var seen: [String] = try await Self.history(socket).messages.map(\.text)
                while seen.last != "t\(total - 1)" {
                    guard let message = try await socket.next(matching: { $0.chatMessage != nil }, timeout: .seconds(30)).chatMessage else { break }
                    seen.append(message.text)
                }
                #expect(seen == (0..<total).map { "t\($0)" })
            }
        }
    }

    @Test func retentionPrunesByCountAndTheFloorMakesOldResumesIncomplete() async throws {
        let store = MemoryMessageStore()
        try await Self.withHistory(store: store, retention: HistoryRetention(messagesPerRoom: 10, maxAgeDays: 30)) { gateway in
            let (a, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let said = try await Self.say(a, 25)
            // Pruning runs in the background every minute; run a pass now.
            await withCheckedContinuation { done in
                GatewayCore.pruneHistory(gateway.core.history, rooms: gateway.core.rooms) { done.resume() }
            }
            let stored = try await Task.detached { try store.page(room: "lobby", before: Int64.max, limit: 200) }.value
            #expect(stored.records.count == 10 && stored.olderExist == false)
            let (b, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .newest(500))
            let page = try await Self.history(b)
            #expect(page.messages.map(\.text) == said.suffix(10).map(\.text) && page.more == false)
            // A resume from a pruned message cannot be complete; from the newest pruned one it is.
            let (c, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(said[3].id))
            #expect(try await Self.history(c).complete == false)
            let (d, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, recall: .since(said[14].id))
            #expect(try await Self.history(d).complete == true)
        }
    }
}

extension ChatMessage {
    /// The number after the epoch in a gateway id.
    var seq: Int64? { id.split(separator: "-").last.flatMap { Int64($0) } }
}
