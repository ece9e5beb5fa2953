import OzProtocol
import Testing

@testable import OzClient

@Suite("History and resume, the client's bookkeeping")
struct HistoryTrackerTests {
    let lobby = ConnectRequest(address: try! ServerAddress(parsing: "127.0.0.1:7779"), token: "lobby")
    let other = ConnectRequest(address: try! ServerAddress(parsing: "127.0.0.1:7779"), token: "other")

    func message(_ id: String, _ text: String = "x", nonce: String? = nil, to: String = "*") -> ChatMessage {
        ChatMessage(id: id, from: "Ab123", to: to, text: text, ts: "2026-12-04T10:00:00.000Z", nonce: nonce)
    }

    func batches(_ outputs: [HistoryTracker.Output]) -> [HistoryBatch] {
        outputs.compactMap { if case .emit(.history(let batch)) = $0 { batch } else { nil } }
    }

    func sent(_ outputs: [HistoryTracker.Output]) -> [ClientFrame] {
        outputs.compactMap { if case .send(let frame) = $0 { frame } else { nil } }
    }

    @Test func firstJoinAsksForTheNewestThenResumesFromTheLastRoomMessageSeen() {
        var tracker = HistoryTracker(newest: 200)
        let v1 = tracker.entering(lobby)
        #expect(v1.isEmpty)
        let v2 = tracker.recall()
        #expect(v2 == .newest(200))
        let v3 = tracker.granted(keepsHistory: true)
        #expect(v3.isEmpty)
        let outputs = tracker.grantPage(HistoryPage(messages: [message("e-1"), message("e-2")], more: true))
        #expect(batches(outputs) == [HistoryBatch(kind: .recent, messages: [message("e-1"), message("e-2")], more: true, oldestID: "e-1")])
        let v4 = tracker.live(message("e-3"))
        #expect(v4)
        let v5 = tracker.live(message("e-4", to: "Me123"))
        #expect(v5)  // private: shown, but not a cursor
        let v6 = tracker.entering(lobby)
        #expect(v6.isEmpty)
        let v7 = tracker.recall()
        #expect(v7 == .since("e-3"))
    }

    @Test func aResumeSkipsWhatWasShownAndReportsAGap() {
        var tracker = HistoryTracker(newest: 10)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        _ = tracker.granted(keepsHistory: true)
        _ = tracker.grantPage(HistoryPage(messages: [message("e-1")], more: false))
        let v8 = tracker.live(message("e-2"))
        #expect(v8)
        let v9 = tracker.recall()
        #expect(v9 == .since("e-2"))
        _ = tracker.granted(keepsHistory: true)
        // The gateway lost its place: it sends the newest, some of which were shown.
        let outputs = tracker.grantPage(HistoryPage(messages: [message("e-1"), message("e-2"), message("e-3")], more: false, complete: false))
        #expect(outputs.first == .emit(.gap))
        #expect(batches(outputs).map(\.messages) == [[message("e-3")]])
        #expect(batches(outputs).map(\.kind) == [.resumed])
        let v10 = tracker.recall()
        #expect(v10 == .since("e-3"))
    }

    @Test func anotherRoomStartsAfreshAndDropsUnsentMessages() {
        var tracker = HistoryTracker(newest: 5)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        _ = tracker.granted(keepsHistory: true)
        _ = tracker.grantPage(HistoryPage(messages: [message("e-1")], more: false))
        let (mine, now) = tracker.send(text: "hi", to: "*", nonce: "n1")
        #expect(now)
        let v11 = tracker.entering(other)
        #expect(v11 == [mine])
        let v12 = tracker.recall()
        #expect(v12 == .newest(5))
        #expect(tracker.pending.isEmpty)
    }

    @Test func pendingMessagesFoundInTheResumeAreConfirmedTheOthersResentOnce() {
        var tracker = HistoryTracker(newest: 5)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        _ = tracker.granted(keepsHistory: true)
        _ = tracker.grantPage(HistoryPage(messages: [message("e-1")], more: false))
        _ = tracker.send(text: "accepted", to: "*", nonce: "n1")
        _ = tracker.send(text: "lost", to: "*", nonce: "n2")
        _ = tracker.send(text: "private", to: "Xy999", nonce: "n3")
        // The connection drops; the resume asks since e-1 and a message sent meanwhile waits to be settled.
        let v13 = tracker.recall()
        #expect(v13 == .since("e-1"))
        _ = tracker.granted(keepsHistory: true)
        let (later, now) = tracker.send(text: "later", to: "*", nonce: "n4")
        #expect(!now)
        let outputs = tracker.grantPage(HistoryPage(messages: [message("e-2", "accepted", nonce: "n1")], more: false, complete: true))
        #expect(outputs.contains(.emit(.confirmed(nonce: "n1"))))
        #expect(sent(outputs) == [.message(to: "*", text: "lost", nonce: "n2"), .message(to: "*", text: "later", nonce: "n4")])
        #expect(outputs.contains { if case .emit(.undelivered(let m, _)) = $0 { m.nonce == "n3" } else { false } })
        #expect(tracker.pending.map(\.nonce) == ["n2", later.nonce])
        // The echoes settle them.
        let v14 = tracker.live(message("e-3", "lost", nonce: "n2"))
        #expect(v14)
        let v15 = tracker.live(message("e-4", "later", nonce: "n4"))
        #expect(v15)
        #expect(tracker.pending.isEmpty)
    }

    @Test func withoutHistoryASentMessageIsUndeliveredNotResent() {
        var tracker = HistoryTracker(newest: 5)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        let v16 = tracker.granted(keepsHistory: false)
        #expect(v16.isEmpty)
        _ = tracker.send(text: "maybe", to: "*", nonce: "n1")
        let v17 = tracker.recall()
        #expect(v17 == .newest(HistoryRecall.maxNewest))  // to find it among the newest, if history is kept
        let outputs = tracker.granted(keepsHistory: false)
        #expect(sent(outputs).isEmpty)
        #expect(outputs.contains { if case .emit(.undelivered(let m, _)) = $0 { m.nonce == "n1" } else { false } })
    }

    @Test func aJoinWithoutACursorShowsOnlyTheConfiguredNewest() {
        var tracker = HistoryTracker(newest: 1)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        _ = tracker.granted(keepsHistory: true)
        _ = tracker.grantPage(HistoryPage(messages: [], more: false))
        _ = tracker.send(text: "mine", to: "*", nonce: "n1")
        let v18 = tracker.recall()
        #expect(v18 == .newest(HistoryRecall.maxNewest))
        _ = tracker.granted(keepsHistory: true)
        let outputs = tracker.grantPage(
            HistoryPage(messages: [message("e-1", "mine", nonce: "n1"), message("e-2"), message("e-3")], more: false))
        #expect(batches(outputs).map(\.messages) == [[message("e-3")]])
        #expect(batches(outputs).map(\.kind) == [.resumed])  // a rejoin: what was said meanwhile
        #expect(batches(outputs).first?.more == true)
        #expect(outputs.contains(.emit(.confirmed(nonce: "n1"))))
        #expect(sent(outputs).isEmpty)
    }

    @Test func aMessageQueuedWhileReconnectingGoesOutOnceSettledEvenWithoutHistory() {
        var tracker = HistoryTracker(newest: 5)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        _ = tracker.granted(keepsHistory: false)
        let queued = tracker.queue(text: "typed offline", nonce: "n1")
        #expect(tracker.pending == [queued])
        _ = tracker.recall()
        let outputs = tracker.granted(keepsHistory: false)
        #expect(outputs == [.send(.message(to: "*", text: "typed offline", nonce: "n1"))])
    }

    @Test func roomTrafficBeforeTheGrantPageMeansNoneIsComing() {
        var tracker = HistoryTracker(newest: 5)
        _ = tracker.entering(lobby)
        _ = tracker.recall()
        let promised = tracker.granted(keepsHistory: true)
        #expect(promised.isEmpty)
        #expect(tracker.awaitingGrantPage)
        let queued = tracker.queue(text: "waits", nonce: "n1")
        let outputs = tracker.noGrantPage()
        #expect(outputs == [.send(.message(to: "*", text: queued.text, nonce: "n1"))])
        #expect(!tracker.awaitingGrantPage && tracker.settled)
        let again = tracker.noGrantPage()
        #expect(again.isEmpty)
    }

    @Test func recentIDsForgetTheOldestBeyondCapacity() {
        var ids = RecentIDs(capacity: 3)
        for id in ["a", "b", "c", "d"] {
            let inserted = ids.insert(id)
            #expect(inserted)
        }
        #expect(!ids.contains("a"))
        #expect(ids.contains("d"))
        let v20 = ids.insert("c")
        #expect(!v20)
        #expect(ids.count == 3)
    }
}
