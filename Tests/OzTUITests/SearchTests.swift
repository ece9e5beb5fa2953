import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// Ctrl-R: the shown window's log searched backwards from the input line.
@Suite("Search: Ctrl-R in the log")
struct SearchTests {
    /// A window with 300 messages, "m0" … "m299", one of them (m40) saying "the deploy key".
    static func filled() -> AppState {
        var state = AppStateTests.granted(size: TerminalSize(rows: 12, columns: 60))
        for n in 0..<300 {
            let text = n == 40 ? "the deploy key" : n == 250 ? "deploy done" : "m\(n)"
            _ = state.reduce(.client(.message(ChatMessage(id: "\(n)", from: "Ann01", to: "*", text: text, ts: ""))))
        }
        return state
    }

    static func type(_ text: String, _ state: inout AppState) {
        for character in text { _ = state.reduce(.key(.text(String(character)))) }
    }

    static func shown(_ state: AppState) -> [String] {
        LogLines.visible(
            state.log.entries, base: state.log.dropped, width: state.layout.log.columns, count: state.layout.log.rows, anchor: state.scrollAnchor
        ).map { $0.0.text }
    }

    @Test func eachKeyNarrowsCtrlRFindsOlderEnterStaysEscReturns() {
        var state = Self.filled()
        _ = state.reduce(.key(.control("r")))
        #expect(state.search != nil && state.scrollAnchor == nil)
        Self.type("depl", &state)
        #expect(state.log.entries[state.search!.match! - state.log.dropped].text == "deploy done")
        #expect(Self.shown(state).contains { $0.contains("deploy done") })
        // Narrowing keeps a match that still matches, else goes older.
        Self.type("oy k", &state)
        #expect(state.log.entries[state.search!.match! - state.log.dropped].text == "the deploy key")
        #expect(Self.shown(state).contains { $0.contains("the deploy key") })
        #expect(state.scrollAnchor != nil)
        // Nothing older: it says so and stays.
        let match = state.search?.match
        _ = state.reduce(.key(.control("r")))
        #expect(state.search?.failed == true && state.search?.match == match)
        // Backspace widens again from the newest.
        for _ in 0..<4 { _ = state.reduce(.key(.backspace)) }
        #expect(state.log.entries[state.search!.match! - state.log.dropped].text == "deploy done")
        _ = state.reduce(.key(.control("r")))
        #expect(state.log.entries[state.search!.match! - state.log.dropped].text == "the deploy key")
        // Esc: back to where the view was (following new lines), the input line untouched.
        _ = state.reduce(.key(.escape))
        #expect(state.search == nil && state.scrollAnchor == nil)
        // Enter: the view stays at the match.
        _ = state.reduce(.key(.control("r")))
        Self.type("m12", &state)
        _ = state.reduce(.key(.enter))
        #expect(state.search == nil)
        #expect(Self.shown(state).contains { $0.hasSuffix("<Ann> m129") })
        #expect(state.editor.text.isEmpty)
    }

    @Test func theMatchIsDrawnReversedAndTheFieldSaysWhatItIs() {
        var state = Self.filled()
        _ = state.reduce(.key(.control("r")))
        Self.type("DEPLOY", &state)
        let terminal = InMemoryTerminal(size: state.size)
        Renderer.render(state, into: terminal)
        let lines = terminal.lines
        let row = try! #require(lines.firstIndex { $0.contains("deploy done") })
        let column = DisplayWidth.of(String(lines[row][..<lines[row].range(of: "deploy")!.lowerBound]))
        #expect(terminal.styleAt(row: row, column: column).reverse)
        #expect(!terminal.styleAt(row: row, column: column - 2).reverse)
        #expect(lines[state.size.rows - 1].hasPrefix("search (Ctrl-R older, Enter stays, Esc back): DEPLOY"))
        Self.type("zzz", &state)
        Renderer.render(state, into: terminal)
        #expect(terminal.lines[state.size.rows - 1].hasPrefix("(no match) search: DEPLOYzzz"))
    }
}
