import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// The reducer on its own: actions in, state and effects out; no terminal, socket or clock.
@Suite("AppState reducer")
struct AppStateTests {
    static let credentials = Credentials(server: "ws://127.0.0.1:7779/", token: "tok", nickname: "Me", avatar: "http://me/1.png")

    static func granted(size: TerminalSize = TerminalSize(rows: 24, columns: 80)) -> AppState {
        var state = AppState(credentials: credentials, size: size, date: Date(timeIntervalSince1970: 1_795_780_800))
        _ = state.reduce(.client(.connectionState(.connecting(attempt: 0, server: .loopback))))
        _ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "Me001", room: "lobby"))))
        _ = state.reduce(.client(.clientState(ClientInfo(phoneNumber: "Ann01", status: .online, properties: ["Nickname": "Ann"]))))
        _ = state.reduce(.client(.clientState(ClientInfo(phoneNumber: "Bob01", status: .online, properties: ["Nickname": "bob"]))))
        _ = state.reduce(.client(.rosterSynced(peers: 2)))
        return state
    }

    static func type(_ text: String, into state: inout AppState) -> [AppEffect] {
        _ = state.reduce(.key(.text(text)))
        return state.reduce(.key(.enter))
    }

    @Test func typingSendsToTheRoomAndRecordsHistory() {
        var state = Self.granted()
        #expect(Self.type("hello all", into: &state) == [.send(text: "hello all", to: "*")])
        #expect(state.editor.text.isEmpty)
        _ = state.reduce(.key(.up))
        #expect(state.editor.text == "hello all")
    }

    @Test func msgResolvesNicknamesIgnoringCase() {
        var state = Self.granted()
        #expect(Self.type("/msg BOB psst", into: &state) == [.send(text: "psst", to: "Bob01")])
        #expect(Self.type("/msg nobody hi", into: &state) == [])
        #expect(state.editor.text == "/msg nobody hi")
        #expect(state.log.entries.last?.text.contains("no one called nobody") == true)
    }

    @Test func unknownCommandIsAHintNeverASend() {
        var state = Self.granted()
        #expect(Self.type("/frobnicate now", into: &state) == [])
        #expect(state.log.entries.last?.kind == .error)
        #expect(state.log.entries.last?.text.contains("unknown command /frobnicate") == true)
    }

    @Test func textTypedWhileDisconnectedStaysInTheInput() {
        var state = AppState(credentials: Self.credentials, size: TerminalSize(rows: 24, columns: 80))
        #expect(Self.type("are you there", into: &state) == [])
        #expect(state.editor.text == "are you there")
    }

    @Test func deniedOpensThePromptOnTheTokenAndEnterConnectsWithTheCorrection() {
        var state = Self.granted()
        _ = state.reduce(.client(.connectionState(.accessDenied(reason: "unknown token"))))
        let form = state.form
        #expect(form?.focus == .token)
        #expect(form?.text(.server) == "ws://127.0.0.1:7779/")
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("right-token")))
        _ = state.reduce(.key(.tab))
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("Zoë")))
        let effects = state.reduce(.key(.enter))
        var expected = Self.credentials
        expected.token = "right-token"
        expected.nickname = "Zoë"
        #expect(effects == [.connect(expected)])
        #expect(state.form == nil)
    }

    @Test func promptOpensOnF2AndOnConnectWithoutArgumentsAndEscCancels() {
        var state = Self.granted()
        _ = state.reduce(.key(.function(2)))
        #expect(state.form?.focus == .server)
        _ = state.reduce(.key(.escape))
        #expect(state.form == nil)
        #expect(Self.type("/connect", into: &state) == [])
        #expect(state.form != nil)
    }

    @Test func nickReconnectsWithTheNewNickname() {
        var state = Self.granted()
        var expected = Self.credentials
        expected.nickname = "Neo"
        #expect(Self.type("/nick Neo", into: &state) == [.connect(expected)])
    }

    @Test func theSnapshotIsSummarisedNotLoggedPeerByPeer() {
        let state = Self.granted()
        #expect(state.log.entries.map(\.text).suffix(2) == ["ACCESS_GRANTED: you are Me001 in lobby", "2 peers here"])
    }

    @Test func presenceUpdatesTheRosterAndTheLog() {
        var state = Self.granted()
        #expect(state.roster.map(\.displayName) == ["Ann", "bob"])
        _ = state.reduce(.client(.clientState(ClientInfo(phoneNumber: "Ann01", status: .offline, properties: ["Nickname": "Ann"]))))
        #expect(state.roster.map(\.displayName) == ["bob"])
        #expect(state.log.entries.last?.kind == .presence(PresenceBurst("Ann (Ann01)", online: false)))
        #expect(state.log.entries.last?.text == "Ann (Ann01) left")
    }

    @Test func hostileNicknamesAreSanitisedOnTheWayIn() {
        var state = Self.granted()
        let evil = ClientInfo(phoneNumber: "Ev1l\u{1B}", status: .online, properties: ["Nickname": "\u{1B}]0;owned\u{07}\u{202E}x"])
        _ = state.reduce(.client(.clientState(evil)))
        let text = state.log.entries.last?.text ?? ""
        #expect(!text.unicodeScalars.contains(where: VisibleText.isUnsafe))
        #expect(text.contains("^[]0;owned^G<U+202E>x"))
    }

    @Test func scrollingUpCountsUnseenLinesAndEndReturns() {
        var state = Self.granted(size: TerminalSize(rows: 12, columns: 60))
        for n in 0..<50 { _ = state.reduce(.client(.message(ChatMessage(id: "\(n)", from: "Ann01", to: "*", text: "line \(n)", ts: "")))) }
        let rows = state.layout.log.rows
        _ = state.reduce(.key(.pageUp))
        // One row per entry here: a page up (rows - 1) leaves the view's bottom row that many entries up.
        let last = state.log.dropped + state.log.count - 1
        #expect(state.scrollAnchor == LogAnchor(entry: last - (rows - 1), row: 0))
        _ = state.reduce(.client(.message(ChatMessage(id: "x", from: "Ann01", to: "*", text: "new one", ts: ""))))
        #expect(state.unseen == 1)
        #expect(state.scrollAnchor == LogAnchor(entry: last - (rows - 1), row: 0))  // the view stays where it was
        _ = state.reduce(.key(.end))
        #expect(state.scrollAnchor == nil && state.unseen == 0)
        _ = state.reduce(.key(.home))
        // The top: the oldest row on the view's first row, so rows - 1 rows above the anchor.
        let top = state.scrollAnchor
        let width = state.layout.log.columns
        let above = top.map { LogLines.totalLines(Array(state.log.entries.prefix($0.entry - state.log.dropped)), width: width) + $0.row }
        #expect(above == rows - 1)
        _ = state.reduce(.key(.pageUp))
        #expect(state.scrollAnchor == top)
        for _ in 0..<20 { _ = state.reduce(.key(.pageDown)) }
        #expect(state.scrollAnchor == nil)
    }

    @Test func scrollingMovesByWrappedRowsAndSurvivesAResize() {
        var state = Self.granted(size: TerminalSize(rows: 12, columns: 60))
        let long = String(repeating: "word ", count: 40)  // several rows at this width
        for n in 0..<30 { _ = state.reduce(.client(.message(ChatMessage(id: "\(n)", from: "Ann01", to: "*", text: "\(n) \(long)", ts: "")))) }
        let width = state.layout.log.columns
        let total = LogLines.totalLines(state.log.entries, width: width)
        var pages = 0
        while true {
            let before = state.scrollAnchor
            _ = state.reduce(.key(.pageUp))
            if state.scrollAnchor == before { break }
            pages += 1
        }
        // Rows above the view's bottom row at the top: exactly a view's worth less one.
        let anchor = state.scrollAnchor!
        let above = LogLines.totalLines(Array(state.log.entries.prefix(anchor.entry - state.log.dropped)), width: width) + anchor.row
        #expect(above == state.layout.log.rows - 1)
        #expect(pages >= (total - state.layout.log.rows) / (state.layout.log.rows - 1))
        // Narrower: the anchor's row is kept inside its entry and the view inside the log.
        _ = state.reduce(.resize(TerminalSize(rows: 12, columns: 41)))
        let clamped = state.scrollAnchor!
        let rows = LogLines.wrap(state.log.entries[clamped.entry - state.log.dropped], width: state.layout.log.columns).count
        #expect(clamped.row < rows)
        let screen = RenderTests.render(state).text
        #expect(screen.contains("scrolled up"))
    }

    @Test func tabCompletesNicknames() {
        var state = Self.granted()
        _ = state.reduce(.key(.text("an")))
        _ = state.reduce(.key(.tab))
        #expect(state.editor.text == "Ann: ")
    }

    @Test func whoisListsEveryProperty() {
        var state = Self.granted()
        _ = state.reduce(
            .client(
                .clientState(
                    ClientInfo(phoneNumber: "Cy001", status: .online, properties: ["Nickname": "Cy", "Avatar": "http://x", "n": .array([.int(1)])]))))
        _ = Self.type("/whois cy", into: &state)
        let lines = state.log.entries.suffix(4).map(\.text)
        #expect(lines == ["Cy (Cy001)", "  Nickname: Cy", "  Avatar: http://x", "  n: [1]"])
    }

    @Test func ctrlCAndQuitQuit() {
        var state = Self.granted()
        #expect(Self.type("/quit", into: &state) == [.quit])
        var other = Self.granted()
        #expect(other.reduce(.key(.control("c"))) == [.quit])
    }
}
