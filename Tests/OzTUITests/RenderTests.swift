import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// The renderer on the in-memory terminal: screens as text at several sizes.
@Suite("Rendering")
struct RenderTests {
    static func populated(size: TerminalSize) -> AppState {
        var state = AppStateTests.granted(size: size)
        _ = state.reduce(
            .client(.clientState(ClientInfo(phoneNumber: "Zh001", status: .online, properties: ["Nickname": "李小龍", "Avatar": "http://z/1"]))))
        _ = state.reduce(
            .client(
                .message(
                    ChatMessage(id: "1", from: "Ann01", to: "*", text: "hello everyone, this is a longer line that has to wrap somewhere", ts: ""))))
        _ = state.reduce(.client(.message(ChatMessage(id: "2", from: "Zh001", to: "*", text: "你好 😀", ts: ""))))
        _ = state.reduce(.client(.message(ChatMessage(id: "3", from: "Me001", to: "Ann01", text: "psst", ts: ""))))
        return state
    }

    static func render(_ state: AppState) -> InMemoryTerminal {
        let terminal = InMemoryTerminal(size: state.size)
        Renderer.render(state, into: terminal)
        return terminal
    }

    @Test(arguments: [
        TerminalSize(rows: 10, columns: 40), TerminalSize(rows: 24, columns: 80), TerminalSize(rows: 100, columns: 300),
        TerminalSize(rows: 13, columns: 57),
    ])
    func everySizeHasTheFourRegionsInPlace(size: TerminalSize) {
        let screen = Self.render(Self.populated(size: size))
        let lines = screen.lines
        #expect(lines.count == size.rows)
        #expect(lines.allSatisfy { DisplayWidth.of($0) == size.columns })
        #expect(lines[size.rows - 2].hasPrefix(" ACCESS_GRANTED "))
        #expect(lines[size.rows - 1].hasPrefix("> "))
        #expect(lines[0].contains("#lobby · 4"))
        #expect(lines[1].contains("Me*"))
        #expect(screen.text.contains("psst"))
    }

    @Test func snapshotAt60x12() {
        let screen = Self.render(Self.populated(size: TerminalSize(rows: 12, columns: 60)))
        let time = LogEntry.clockTime(Date(timeIntervalSince1970: 1_795_780_800))
        let expected = """
                       ws://127.0.0.1:7779/            │ #lobby · 4
            \(time) -!- ACCESS_GRANTED: you are Me001 │ M  Me*    Me001
                       in lobby                        │ ·  Ann    Ann01
            \(time) -!- 2 peers here                  │ ·  bob    Bob01
            \(time) --> 李小龍 (Zh001) joined         │ 李 李小龍 Zh001
            \(time) <Ann> hello everyone, this is a   │
                       longer line that has to wrap    │
                       somewhere                       │
            \(time) <李小龍> 你好 😀                  │
            \(time) -> *Ann* psst                     │
             ACCESS_GRANTED  ws://127.0.0.1:7779/ │ Me (Me001) │ 3 peers
            >
            """
        #expect(screen.text == expected)
    }

    @Test func belowTheMinimumAOneLineNotice() {
        let screen = Self.render(Self.populated(size: TerminalSize(rows: 8, columns: 30)))
        #expect(screen.lines[0] == "ozchat needs 40x10 (now 30x8) ")
        #expect(screen.lines.dropFirst().allSatisfy { $0.allSatisfy { $0 == " " } })
    }

    @Test func rosterToggleGivesTheLogTheWholeWidth() {
        var state = Self.populated(size: TerminalSize(rows: 12, columns: 60))
        _ = state.reduce(.key(.function(3)))
        let screen = Self.render(state)
        #expect(!screen.text.contains("│ #lobby"))
        #expect(screen.text.contains("hello everyone, this is a longer line that\n"))
    }

    @Test func monochromeWithoutColourSupport() {
        let state = Self.populated(size: TerminalSize(rows: 12, columns: 60))
        let terminal = InMemoryTerminal(size: state.size, supportsColor: false)
        Renderer.render(state, into: terminal)
        #expect(terminal.styleAt(row: 10, column: 2).background == nil)
        #expect(terminal.styleAt(row: 10, column: 2).bold)
    }

    @Test func retryCountdownInTheStatusBar() {
        var state = Self.populated(size: TerminalSize(rows: 12, columns: 80))
        let now = ContinuousClock.now
        let retry = RetryPlan(attempt: 1, delay: .seconds(5), deadline: now + .seconds(5))
        _ = state.reduce(.client(.connectionState(.connectionFailed(reason: "connection refused", retry: retry))))
        _ = state.reduce(.tick(now: now + .milliseconds(1500), date: Date()))
        #expect(Self.render(state).lines[10].contains("CONNECTION_FAILED  connection refused │ retry in 4s"))
    }

    @Test func whileDisconnectedTheLastKnownRosterIsDrawnDim() throws {
        var state = Self.populated(size: TerminalSize(rows: 12, columns: 80))
        let column = state.layout.roster.column + 4
        let row = try #require(Self.render(state).lines.firstIndex { $0.contains("Ann") && $0.contains("Ann01") })
        #expect(!Self.render(state).styleAt(row: row, column: column).dim)
        _ = state.reduce(.client(.connectionState(.connectionClosed(reason: .socketLost("reset"), retry: nil))))
        let terminal = Self.render(state)
        let staleRow = try #require(terminal.lines.firstIndex { $0.contains("Ann") && $0.contains("Ann01") })
        #expect(terminal.styleAt(row: staleRow, column: column).dim)
        let zhRow = try #require(terminal.lines.firstIndex { $0.contains("Zh001") })
        #expect(terminal.styleAt(row: zhRow, column: column - 3).background == nil)  // the avatar badge loses its colour
    }

    @Test func theCredentialsPromptShowsEveryFieldWithThePasswordMasked() {
        var state = Self.populated(size: TerminalSize(rows: 24, columns: 80))
        state.credentials.password = "secret"
        _ = state.reduce(.client(.connectionState(.accessDenied(reason: "wrong password"))))
        let screen = Self.render(state).text
        for label in ["Server", "Token", "Nickname", "Avatar", "Password"] { #expect(screen.contains(" \(label) ")) }
        #expect(screen.contains("Access denied: wrong password"))
        #expect(screen.contains("******"))
        #expect(!screen.contains("secret"))
    }

    @Test func scrolledUpShowsTheUnseenIndicator() {
        var state = Self.populated(size: TerminalSize(rows: 12, columns: 60))
        for n in 0..<30 { _ = state.reduce(.client(.message(ChatMessage(id: "m\(n)", from: "Ann01", to: "*", text: "n\(n)", ts: "")))) }
        _ = state.reduce(.key(.pageUp))
        _ = state.reduce(.client(.message(ChatMessage(id: "new", from: "Ann01", to: "*", text: "fresh", ts: ""))))
        let screen = Self.render(state)
        #expect(screen.lines[9].contains("1 new"))
        #expect(!screen.text.contains("fresh"))
    }
}
