import Testing

@testable import OzTUI

@Suite("Nick completion")
struct NickCompletionTests {
    static let nicks = ["bob", "Anna", "ann", "Zoë", "Annika", "alice", "日本太郎"]

    /// Presses Tab `times` times on `editor` the way the app does, returning the line after each press.
    static func tab(_ editor: inout LineEditor, times: Int, candidates: [String] = nicks) -> [String] {
        var completion: NickCompletion?
        var lines: [String] = []
        for _ in 0..<times {
            if completion == nil { completion = NickCompletion.start(editor: editor, candidates: candidates) }
            completion?.next(editor: &editor)
            lines.append(editor.text)
        }
        return lines
    }

    @Test func completesAtTheStartOfTheLineWithAColon() {
        var editor = LineEditor(text: "an")
        #expect(Self.tab(&editor, times: 1) == ["ann: "])
        #expect(editor.cursor == 5)
    }

    @Test func cyclesThroughMatchesSortedIgnoringCaseAndWrapsAround() {
        var editor = LineEditor(text: "AN")
        #expect(Self.tab(&editor, times: 4) == ["ann: ", "Anna: ", "Annika: ", "ann: "])
    }

    @Test func completesInsideTheLineWithASpaceAndKeepsTheRest() {
        var editor = LineEditor(text: "hi zo how are you")
        for _ in 0..<12 { editor.handle(.left) }
        #expect(editor.cursor == 5)
        #expect(Self.tab(&editor, times: 2) == ["hi Zoë  how are you", "hi Zoë  how are you"])
        #expect(editor.cursor == 7)
    }

    @Test func completesWideAndAccentedNicknames() {
        var editor = LineEditor(text: "cc 日本")
        #expect(Self.tab(&editor, times: 1) == ["cc 日本太郎 "])
        #expect(editor.cursor == 8)
    }

    @Test func cyclingReplacesOnlyTheCompletion() {
        var editor = LineEditor(text: "ask a")
        #expect(Self.tab(&editor, times: 5) == ["ask alice ", "ask ann ", "ask Anna ", "ask Annika ", "ask alice "])
        editor.insert("hello")
        #expect(editor.text == "ask alice hello")
    }

    @Test(arguments: ["", "hi ", "zz", "hi xyz"])
    func nothingToComplete(_ text: String) {
        #expect(NickCompletion.start(editor: LineEditor(text: text), candidates: Self.nicks) == nil)
    }

    @Test func noCandidates() {
        #expect(NickCompletion.start(editor: LineEditor(text: "a"), candidates: []) == nil)
    }

    @Test func duplicateCandidatesAppearOnce() {
        let completion = NickCompletion.start(editor: LineEditor(text: "b"), candidates: ["bob", "Bob", "bob"])
        #expect(completion?.matches == ["Bob", "bob"])
        #expect(completion?.current == nil)
    }
}
