import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// The reducer and history (OzWire v1.1): the backlog and its marker, older pages at the top, pending messages.
@Suite("AppState history")
struct AppStateHistoryTests {
    static func message(_ n: Int, from: String = "Ann01", nick: String = "Ann", nonce: String? = nil) -> ChatMessage {
        ChatMessage(
            id: "e-\(n)", from: from, to: "*", text: "m\(n)", ts: WireTimestamp.string(from: Date(timeIntervalSince1970: 1_795_000_000 + Double(n))),
            fromProperties: ["Nickname": .string(nick)], nonce: nonce)
    }

    static func recent(_ range: ClosedRange<Int>, more: Bool) -> OzClientEvent {
        let messages = range.map { message($0) }
        return .history(HistoryBatch(kind: .recent, messages: messages, more: more, oldestID: messages.first?.id))
    }

    @Test func theBacklogComesAboveItsMarkerWithItsOwnTimesAndNames() {
        var state = AppStateTests.granted()
        _ = state.reduce(.client(Self.recent(1...3, more: false)))
        let tail = Array(state.log.entries.suffix(4))
        #expect(tail.map(\.text) == ["m1", "m2", "m3", "history above: 3 messages"])
        #expect(tail.last?.kind == .marker)
        #expect(tail[0].origin == .history)
        #expect(tail[0].date == Date(timeIntervalSince1970: 1_795_000_001))
        // A sender no longer in the room is named as it was when it sent.
        let gone = ChatMessage(id: "e-9", from: "Zed01", to: "*", text: "bye", ts: "", fromProperties: ["Nickname": "Zed"])
        _ = state.reduce(.client(.message(gone)))
        guard case .message(let nick, _, _, _, _) = state.log.entries.last?.kind else {
            Issue.record("no message")
            return
        }
        #expect(nick == "Zed")
    }

    @Test func pageUpAtTheTopAsksForTheOlderPageOnceAndPutsItOnTop() {
        var state = AppStateTests.granted(size: TerminalSize(rows: 12, columns: 60))
        _ = state.reduce(.client(Self.recent(101...130, more: true)))
        var effects: [AppEffect] = []
        for _ in 0..<10 { effects += state.reduce(.key(.pageUp)) }
        #expect(effects == [.requestHistory(before: "e-101")])
        #expect(state.log.entries.first?.text == "loading older messages…")
        let anchor = state.scrollAnchor
        let page = (1...100).map { Self.message($0) }
        _ = state.reduce(.client(.history(HistoryBatch(kind: .older, messages: page, more: false, oldestID: "e-1"))))
        #expect(state.log.entries.first?.text == "beginning of history")
        #expect(state.log.entries[1].text == "m1")
        #expect(!state.log.entries.contains { $0.text == "loading older messages…" })
        #expect(state.scrollAnchor == anchor)  // the view stays on what it showed
        effects = []
        for _ in 0..<40 { effects += state.reduce(.key(.pageUp)) }
        #expect(effects.isEmpty)  // nothing more to ask for
        #expect(state.scrollAnchor.map { $0.entry - state.log.dropped } ?? 0 < 12)  // the view reached the top
    }

    @Test func olderPagesStopWhenTheScrollbackHasNothingToUnload() {
        var state = AppState(credentials: AppStateTests.credentials, size: TerminalSize(rows: 12, columns: 60), logCapacity: 120)
        _ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "Me001", room: "lobby"))))
        _ = state.reduce(.client(.rosterSynced(peers: 0)))
        _ = state.reduce(.client(Self.recent(101...130, more: true)))
        var effects: [AppEffect] = []
        for _ in 0..<10 { effects += state.reduce(.key(.pageUp)) }
        #expect(effects.isEmpty)
        #expect(state.log.entries.first?.text == "the scrollback is full: older messages are not loaded")
    }

    @Test func ownMessagesArePendingUntilEchoedOrConfirmedAndMarkedWhenUndelivered() {
        var state = AppStateTests.granted()
        _ = state.reduce(.client(.pending(OutgoingMessage(nonce: "n1", to: "*", text: "one"))))
        _ = state.reduce(.client(.pending(OutgoingMessage(nonce: "n2", to: "*", text: "two"))))
        _ = state.reduce(.client(.pending(OutgoingMessage(nonce: "n3", to: "Ann01", text: "three"))))
        #expect(state.log.entries.suffix(3).map(\.origin) == [.pending, .pending, .pending])
        #expect(LogLines.wrap(state.log.entries[state.log.entries.count - 3], width: 80).first?.text.hasSuffix("one …") == true)
        let count = state.log.count
        // The echo turns the pending line into the message, in place.
        _ = state.reduce(.client(.message(ChatMessage(id: "e-1", from: "Me001", to: "*", text: "one", ts: "", nonce: "n1"))))
        #expect(state.log.count == count)
        #expect(state.log.entries[count - 3].origin == .live)
        // A resumed history holding the second confirms it without repeating it.
        let resumed = HistoryBatch(kind: .resumed, messages: [Self.message(2, from: "Old01", nick: "Me", nonce: "n2")], more: false, oldestID: "e-2")
        _ = state.reduce(.client(.history(resumed)))
        _ = state.reduce(.client(.confirmed(nonce: "n2")))
        #expect(state.log.entries[count - 2].origin == .live)
        #expect(state.log.count == count)
        _ = state.reduce(.client(.undelivered(OutgoingMessage(nonce: "n3", to: "Ann01", text: "three"), reason: "dropped")))
        #expect(state.log.entries[count - 1].origin == .undelivered)
        #expect(state.log.entries.last?.text == "not delivered: three (dropped)")
        #expect(state.pendingEntries.isEmpty)
    }

    @Test func aGapIsSaid() {
        var state = AppStateTests.granted()
        _ = state.reduce(.client(.gap))
        #expect(state.log.entries.last?.text == "some messages were missed while the connection was down")
    }
}

/// Stored messages from another day show their date beside the time; today's show the time alone.
@Suite("Log times of stored messages")
struct LogStampTests {
    /// A local time (the log shows local times).
    static func local(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Date {
        Calendar.current.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    @Test func aStoredMessageFromAnotherDayShowsItsDate() throws {
        let today = Self.local(2026, 12, 4, 10, 0)
        #expect(LogEntry.stamp(Self.local(2026, 12, 4, 9, 8, 7), today: today) == "09:08:07")
        #expect(LogEntry.stamp(Self.local(2026, 12, 3, 23, 59, 30), today: today) == "Dec 03 23:59")
        #expect(LogEntry.stamp(Self.local(2026, 1, 31, 1, 2, 3), today: today) == "Jan 31 01:02")
        #expect(LogEntry.stamp(Self.local(2025, 12, 4, 9, 8, 7), today: today) == "2025-12-04 09:08")
        let entry = LogEntry(date: Self.local(2026, 12, 2, 14, 3), kind: .info, text: "x", today: today)
        let line = try #require(LogLines.wrap(entry, width: 60).first)
        #expect(line.text == "Dec 02 14:03 -i- x")
        #expect(line.accentStart == 13)
    }
}
