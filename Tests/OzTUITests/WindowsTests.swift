import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// Many rooms in one state: each window its own room, log and roster; activity and highlights in windows not on
/// screen; switching with Alt keys and commands; /join and /part.
@Suite("Windows: many rooms")
struct WindowsTests {
    static let size = TerminalSize(rows: 24, columns: 80)

    static func credentials(_ server: String, nick: String = "Me") -> Credentials {
        Credentials(server: server, token: "tok", nickname: nick, avatar: "", password: "", extra: [:])
    }

    /// Three windows, each granted in its own room (lobby, ops, dev), window 1 shown.
    static func three() -> AppState {
        var state = AppState(
            rooms: [("lobby", credentials("a.example:7779")), (nil, credentials("b.example:7779")), (nil, credentials("c.example:7779"))],
            size: size, date: Date(timeIntervalSince1970: 1_795_780_800))
        for (index, room) in ["lobby", "ops", "dev"].enumerated() {
            let id = state.windows[index].id
            _ = state.reduce(.room(id, .connectionState(.accessGranted(phoneNumber: "Me00\(index)", room: room))))
            _ = state.reduce(.room(id, .rosterSynced(peers: 0)))
        }
        return state
    }

    static func say(_ text: String, from: String = "Ann01", in window: Int, _ state: inout AppState) -> [AppEffect] {
        let id = state.windows[window].id
        return state.reduce(.room(id, .message(ChatMessage(id: "x", from: from, to: "*", text: text, ts: "", fromProperties: ["Nickname": "Ann"]))))
    }

    @Test func eachRoomsEventsGoToItsOwnWindowAndCountWhereNotShown() {
        var state = Self.three()
        #expect(state.windows.map(\.label) == ["lobby", "ops", "dev"])
        #expect(state.current == 0)
        _ = Self.say("hello ops", in: 1, &state)
        _ = Self.say("again", in: 1, &state)
        // Joins, leaves, connection lines and history add nothing to the count.
        let ops = state.windows[1].id
        _ = state.reduce(.room(ops, .clientState(ClientInfo(phoneNumber: "Bob01", status: .online, properties: ["Nickname": "Bob"]))))
        _ = state.reduce(.room(ops, .connectionState(.connecting(attempt: 1, server: .loopback))))
        let stored = ChatMessage(id: "s1", from: "Bob01", to: "*", text: "old", ts: "")
        _ = state.reduce(.room(ops, .history(HistoryBatch(kind: .recent, messages: [stored], more: false, oldestID: "s1"))))
        #expect(state.windows[1].activity == 2)
        #expect(state.windows[1].highlights == 0)
        #expect(state.windows[0].activity == 0)
        #expect(!state.log.entries.contains { $0.text == "hello ops" })  // window 1's log
        #expect(state.windows[1].log.entries.contains { $0.text == "hello ops" })
        #expect(state.windows[1].roster.count == 1 && state.roster.count == 0)
    }

    @Test func aHighlightCountsAndRingsTheBellOnlyWhereNotShownAndNeverForOurOwn() {
        var state = Self.three()
        #expect(Self.say("me: look at this", in: 2, &state) == [.bell])
        #expect(Self.say("nothing for you", in: 2, &state) == [])
        #expect(Self.say("ME again", from: "Me002", in: 2, &state) == [])  // our own
        #expect(state.windows[2].highlights == 1)
        #expect(state.windows[2].activity == 3 - 1)
        // In the shown window a highlight is marked, counted nowhere, and rings nothing.
        #expect(Self.say("hi me", in: 0, &state) == [])
        #expect(state.log.entries.last?.highlight == true)
        #expect(state.windows[0].highlights == 0)
        state.alerts = AlertSettings(words: ["deploy"], bell: .all)
        #expect(Self.say("any message", in: 1, &state) == [.bell])
        #expect(Self.say("the DEPLOY is done", in: 1, &state) == [.bell])
        #expect(state.windows[1].highlights == 1)
        state.alerts.bell = .never
        #expect(Self.say("me me me", in: 1, &state) == [])
    }

    @Test func storedMessagesThatNameUsAreDrawnHighlightedButCountNowhere() {
        var state = Self.three()
        let ops = state.windows[1].id
        let stored = [
            ChatMessage(id: "s1", from: "Bob01", to: "*", text: "me: yesterday's question", ts: ""),
            ChatMessage(id: "s2", from: "Bob01", to: "*", text: "unrelated", ts: ""),
        ]
        _ = state.reduce(.room(ops, .history(HistoryBatch(kind: .recent, messages: stored, more: false, oldestID: "s1"))))
        let entries = state.windows[1].log.entries.filter { $0.origin == .history }
        #expect(entries.map(\.highlight) == [true, false])
        #expect(state.windows[1].highlights == 0 && state.windows[1].activity == 0)
    }

    @Test func wordsMatchWholeAndInAnyCase() {
        let alerts = AlertSettings(words: ["deploy"])
        #expect(alerts.highlights("Ann: hi", nickname: "ann"))
        #expect(alerts.highlights("@Ann, hi", nickname: "Ann"))
        #expect(!alerts.highlights("annual report", nickname: "Ann"))
        #expect(!alerts.highlights("joanne", nickname: "Ann"))
        #expect(alerts.highlights("deploy!", nickname: "Ann"))
        #expect(!alerts.highlights("redeployed", nickname: "Ann"))
        #expect(!alerts.highlights("", nickname: ""))
        // Beyond ASCII: a letter next to it joins the word, an emoji or punctuation does not.
        #expect(!alerts.highlights("annéa", nickname: "Ann"))
        #expect(!alerts.highlights("李ann", nickname: "Ann"))
        #expect(alerts.highlights("ann😀 «ANN»", nickname: "Ann"))
        #expect(alerts.highlights("hé José!", nickname: "josé"))
        #expect(!alerts.highlights("josé2", nickname: "josé"))
    }

    @Test func altKeysSwitchWindowsAndComingBackShowsWhereYouLeft() {
        var state = Self.three()
        _ = state.reduce(.key(.alt("2")))
        #expect(state.current == 1)
        _ = state.reduce(.key(.escape))
        _ = state.reduce(.key(.text("3")))
        #expect(state.current == 2)
        _ = state.reduce(.key(.altRight))
        #expect(state.current == 0)
        _ = state.reduce(.key(.altLeft))
        #expect(state.current == 2)
        _ = state.reduce(.key(.alt("9")))  // no window 9: nothing
        #expect(state.current == 2)
        // Alt-A: a highlight first, then unseen messages, then nothing.
        _ = Self.say("plain", in: 0, &state)
        _ = Self.say("hey me", in: 1, &state)
        _ = state.reduce(.key(.alt("a")))
        #expect(state.current == 1)
        _ = state.reduce(.key(.alt("A")))
        #expect(state.current == 0)
        _ = state.reduce(.key(.alt("a")))
        #expect(state.current == 0)
        // Window 0 was left (for 1) before "plain" came: the marker sits above it.
        let texts = state.log.entries.map(\.text)
        let marker = texts.lastIndex(of: AppState.newMarkerText)
        #expect(marker != nil && texts[marker! + 1] == "plain", "\(texts)")
        // Leaving again and coming back moves the marker: there is one.
        _ = state.reduce(.key(.alt("2")))
        _ = Self.say("later", in: 0, &state)
        _ = state.reduce(.key(.alt("1")))
        let again = state.log.entries.map(\.text)
        #expect(again.filter { $0 == AppState.newMarkerText }.count == 1)
        #expect(again.suffix(2) == [AppState.newMarkerText, "later"])
        #expect(state.windows[0].activity == 0)
    }

    @Test func joinOpensAWindowAndConnectsItsOwnRoom() {
        var state = Self.three()
        let effects = AppStateTests.type("/join d.example:7779 secret --nick Neo", into: &state)
        #expect(state.windows.count == 4 && state.current == 3)
        let id = state.windows[3].id
        guard case .connect(let credentials, let window)? = effects.first else {
            Issue.record("no connect: \(effects)")
            return
        }
        #expect(window == id && credentials.server == "d.example:7779" && credentials.token == "secret" && credentials.nickname == "Neo")
        #expect(state.windows[3].label == "d.example:7779")  // until granted
        _ = state.reduce(.room(id, .connectionState(.accessGranted(phoneNumber: "Neo01", room: "den"))))
        #expect(state.windows[3].label == "den")
        // Messages go to the shown window's room.
        _ = state.reduce(.room(id, .rosterSynced(peers: 0)))
        #expect(AppStateTests.type("hello den", into: &state) == [.send(text: "hello den", to: "*", window: id)])
    }

    @Test func partClosesTheWindowAndShowsThePreviousTheLastStaysWithItsPrompt() {
        var state = Self.three()
        _ = state.reduce(.key(.alt("2")))
        let ops = state.windows[1].id
        #expect(AppStateTests.type("/part", into: &state) == [.close(window: ops)])
        #expect(state.windows.map(\.label) == ["lobby", "dev"] && state.current == 0)
        // Events of the closed window's room go nowhere.
        _ = Self.say("late", in: 0, &state)
        #expect(state.reduce(.room(ops, .message(ChatMessage(id: "y", from: "A", to: "*", text: "ghost", ts: "")))) == [])
        #expect(!state.windows.contains { $0.log.entries.contains { $0.text == "ghost" } })
        _ = AppStateTests.type("/part", into: &state)
        let last = state.windows[0].id
        #expect(AppStateTests.type("/part", into: &state) == [.disconnect(window: last)])
        #expect(state.windows.count == 1 && state.form != nil)
    }

    @Test func windowAndRoomsCommands() {
        var state = Self.three()
        _ = AppStateTests.type("/window 3", into: &state)
        #expect(state.current == 2)
        _ = AppStateTests.type("/window 7", into: &state)
        #expect(state.current == 2)
        #expect(state.log.entries.last?.text == "no window 7: 3 windows are open")
        _ = AppStateTests.type("/rooms", into: &state)
        let lines = state.log.entries.suffix(3).map(\.text)
        #expect(lines[0].hasPrefix(" 1:lobby ACCESS_GRANTED a.example:7779"))
        #expect(lines[2].hasPrefix("*3:dev ACCESS_GRANTED c.example:7779 0 peers"))
    }

    @Test func joinByNameOpensTheSavedRoomOrItsWindowAndRefusesAnUnknownName() {
        var state = Self.three()
        state.savedRooms = ["lobby": ["a.example:7779"], "ops": ["o.example:7779"]]
        _ = state.reduce(.key(.alt("3")))
        #expect(AppStateTests.type("/join lobby", into: &state) == [])
        #expect(state.current == 0)  // already open: shown
        let effects = AppStateTests.type("/join ops", into: &state)
        let id = state.windows[3].id
        #expect(effects == [.resolveSaved(name: "ops", window: id)])
        #expect(state.windows[3].label == "ops")
        let resolved = Self.credentials("o.example:7779")
        #expect(state.reduce(.savedRoomResolved(id, .success(resolved))) == [.connect(resolved, window: id)])
        _ = AppStateTests.type("/join nowhere", into: &state)
        #expect(state.log.entries.last?.text == "no saved room nowhere: the config file has lobby, ops")
        _ = state.reduce(.savedRoomResolved(id, .failure(SavedRoomError("token_command exited 1"))))
        #expect(state.windows[3].log.entries.last?.text == "cannot open ops: token_command exited 1")
    }
}

/// The room bar drawn: one line on top when more than one window is open.
@Suite("Windows: the room bar")
struct RoomBarRenderTests {
    static func screen(_ state: AppState) -> InMemoryTerminal {
        let terminal = InMemoryTerminal(size: state.size)
        Renderer.render(state, into: terminal)
        return terminal
    }

    @Test(arguments: [TerminalSize(rows: 24, columns: 80), TerminalSize(rows: 100, columns: 300)])
    func threeWindowsWithActivityAndAHighlight(size: TerminalSize) {
        var state = WindowsTests.three()
        _ = state.reduce(.resize(size))
        _ = WindowsTests.say("one", in: 1, &state)
        _ = WindowsTests.say("two", in: 1, &state)
        _ = WindowsTests.say("three", in: 1, &state)
        _ = WindowsTests.say("me?", in: 2, &state)
        _ = WindowsTests.say("and", in: 2, &state)
        _ = state.reduce(.room(state.windows[2].id, .connectionState(.connectionClosed(reason: .gateway(.shutdown), retry: nil))))
        let terminal = Self.screen(state)
        let lines = terminal.lines
        #expect(lines[0].hasPrefix(" 1:lobby  2:ops(3)  3:dev(!1) "), "\(lines[0])")
        #expect(terminal.styleAt(row: 0, column: 1).reverse)
        #expect(terminal.styleAt(row: 0, column: 20).foreground == .magenta)
        // The panes start below the bar; status and input stay at the bottom.
        #expect(lines[1].contains("#lobby"))
        #expect(lines[size.rows - 2].hasPrefix(" ACCESS_GRANTED "))
        #expect(lines[size.rows - 1].hasPrefix("> "))
        #expect(lines.allSatisfy { DisplayWidth.of($0) == size.columns })
    }

    @Test func oneWindowHasNoBar() {
        let state = AppStateTests.granted()
        #expect(!Self.screen(state).lines[0].contains("1:"))
        #expect(state.layout.roomBar == nil)
    }

    @Test func aNarrowBarKeepsTheShownWindowInView() {
        var state = AppState(
            rooms: (1...12).map { (Optional("room-number-\($0)"), WindowsTests.credentials("h\($0):7779")) },
            size: TerminalSize(rows: 24, columns: 60))
        _ = state.reduce(.key(.alt("0")))
        let bar = Self.screen(state).lines[0]
        #expect(bar.contains("10:room-number-10"), "\(bar)")
        #expect(RoomBarView.window(at: 3, state, columns: 60) != nil)
    }
}

/// The whole screen with three windows, exactly: the bar, the panes below it, the status and input lines.
@Suite("Windows: a snapshot")
struct WindowsSnapshotTests {
    @Test func threeWindowsAt80x24() {
        var state = WindowsTests.three()
        _ = WindowsTests.say("hello lobby", in: 0, &state)
        _ = WindowsTests.say("ops talk", in: 1, &state)
        _ = WindowsTests.say("me? dev", in: 2, &state)
        let terminal = InMemoryTerminal(size: WindowsTests.size)
        Renderer.render(state, into: terminal)
        let time = LogEntry.clockTime(Date(timeIntervalSince1970: 1_795_780_800))
        let lines = terminal.lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }
        let pane = String(repeating: " ", count: 63) + "│"
        let expected =
            [" 1:lobby  2:ops(1)  3:dev(!1)", pane + " #lobby · 1", pane + " ·  Me*    Me000"] + Array(repeating: pane, count: 16) + [
                "\(time) -!- ACCESS_GRANTED: you are Me000 in lobby            │",
                "\(time) -!- 0 peers here                                      │",
                "\(time) <Ann> hello lobby                                     │",
                " ACCESS_GRANTED  a.example:7779 │ Me (Me000) │ 0 peers online",
                ">",
            ]
        #expect(lines == expected, "\(lines.joined(separator: "\n"))")
    }
}
