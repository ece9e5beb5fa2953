import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// Bracketed pastes in the reducer and the editor: text, never keys or commands (see `PastePolicy`).
@Suite("Pasting")
struct PasteTests {
    static func paste(_ text: String, into state: inout AppState) {
        _ = state.reduce(.key(.paste(text)))
    }

    @Test func aMultiLinePasteIsShownWithLineBreaksAndSentLineByLineOnEnter() {
        var state = AppStateTests.granted()
        Self.paste("hello\r\n/connect evil:7779 x\rbye", into: &state)
        #expect(state.editor.text == "hello\n/connect evil:7779 x\nbye")
        #expect(RenderTests.render(state).lines.last!.hasPrefix("> hello↵/connect evil:7779 x↵bye"))
        let effects = state.reduce(.key(.enter))
        #expect(effects == [.send(text: "hello", to: "*"), .send(text: "/connect evil:7779 x", to: "*"), .send(text: "bye", to: "*")])
        #expect(state.editor.text.isEmpty)
        #expect(state.credentials.server == AppStateTests.credentials.server)
    }

    @Test func pastedTextThatLooksLikeACommandIsText() {
        var state = AppStateTests.granted()
        Self.paste("/quit", into: &state)
        _ = state.reduce(.key(.text(" now")))
        #expect(state.reduce(.key(.enter)) == [.send(text: "/quit now", to: "*")])
        #expect(!state.quitting)
        // Recalled from history, it is still text: kept with the // escape.
        _ = state.reduce(.key(.up))
        #expect(state.editor.text == "//quit now")
        #expect(state.reduce(.key(.enter)) == [.send(text: "/quit now", to: "*")])
    }

    @Test func aTypedCommandTakesASingleLinePasteButRefusesPastedLineBreaks() {
        var state = AppStateTests.granted()
        _ = state.reduce(.key(.text("/msg bob ")))
        Self.paste("psst", into: &state)
        #expect(state.reduce(.key(.enter)) == [.send(text: "psst", to: "Bob01")])
        _ = state.reduce(.key(.text("/nick ")))
        Self.paste("Eve\n/connect evil:7779 x", into: &state)
        #expect(state.reduce(.key(.enter)) == [])
        #expect(state.credentials.nickname == "Me")
        #expect(state.log.entries.last?.text.contains("a command is one line") == true)
        #expect(state.editor.text == "/nick Eve\n/connect evil:7779 x")
    }

    @Test func typingBeforeAPasteCanEscapeButNotTurnItIntoACommand() {
        var state = AppStateTests.granted()
        _ = state.reduce(.key(.text("//")))
        Self.paste("x\ny", into: &state)
        #expect(state.reduce(.key(.enter)) == [.send(text: "/x", to: "*"), .send(text: "y", to: "*")])
        // Deleting the typed start leaves pasted text first: still text.
        _ = state.reduce(.key(.text("/")))
        Self.paste("quit", into: &state)
        _ = state.reduce(.key(.home))
        _ = state.reduce(.key(.delete))
        #expect(state.editor.text == "quit")
        _ = state.reduce(.key(.home))
        _ = state.reduce(.key(.text("/")))  // typed: the line is a command again
        #expect(state.reduce(.key(.enter)) == [.quit])
    }

    @Test func blankLinesAreSkippedAndOversizedPastesAreRefused() {
        var state = AppStateTests.granted()
        Self.paste("\n\none\n   \ntwo\n", into: &state)
        #expect(state.reduce(.key(.enter)) == [.send(text: "one", to: "*"), .send(text: "two", to: "*")])

        let long = String(repeating: "é", count: WireLimits.maxTextScalars + 1)
        Self.paste("ok\n" + long, into: &state)
        #expect(state.reduce(.key(.enter)) == [])
        #expect(state.log.entries.last?.text.contains("line 2 has 4,097 characters") == true)
        #expect(state.editor.text.hasPrefix("ok\n"))
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.end))
        _ = state.reduce(.key(.control("u")))
        #expect(state.editor.text.isEmpty)

        Self.paste((1...(PastePolicy.maxLines + 1)).map(String.init).joined(separator: "\n"), into: &state)
        #expect(state.reduce(.key(.enter)) == [])
        #expect(state.log.entries.last?.text.contains("at most \(PastePolicy.maxLines) messages") == true)
        _ = state.reduce(.key(.control("u")))

        Self.paste(String(repeating: "x", count: PastePolicy.maxPasteScalars + 1), into: &state)
        #expect(state.editor.text.isEmpty)
        #expect(state.log.entries.last?.text.hasPrefix("paste refused") == true)
    }

    @Test func aPasteWhileDisconnectedStaysInTheInput() {
        var state = AppStateTests.granted()
        _ = state.reduce(.client(.connectionState(.connectionClosed(reason: .socketLost("reset"), retry: nil))))
        Self.paste("a\nb", into: &state)
        #expect(state.reduce(.key(.enter)) == [])
        #expect(state.editor.text == "a\nb")
    }

    @Test func theCredentialsPromptTakesAPasteAsOneLine() {
        var form = CredentialsForm(credentials: AppStateTests.credentials, focus: .token)
        _ = form.handle(.control("u"))
        _ = form.handle(.paste("new-token\n"))
        #expect(form.text(.token) == "new-token")
    }

    @Test func theEditorKnowsWhichGraphemesWerePasted() {
        var editor = LineEditor()
        editor.handle(.text("ab"))
        editor.paste("c\u{1B}d\r\ne")
        #expect(editor.text == "abcd\ne")
        #expect((0..<6).map(editor.isPasted(at:)) == [false, false, true, true, true, true])
        editor.handle(.home)
        editor.handle(.control("d"))
        editor.handle(.control("d"))
        #expect(editor.isPasted(at: 0))
        #expect(editor.recallText == "cd\ne")
        editor.set("/x\ny")
        #expect(!editor.holdsPastedText && editor.text == "/x\ny")
        #expect(editor.layout(width: 20).visible == "/x↵y")
    }

    /// Found by the line-editor fuzzer: a pasted combining mark joins the typed letter before it, and that grapheme then
    /// holds pasted text, so it counts as pasted.
    @Test func aPastedCombiningMarkMakesTheGraphemeItJoinsPasted() {
        var editor = LineEditor()
        editor.handle(.text("be"))
        editor.paste("\u{301}")
        #expect(editor.text == "be\u{301}" && editor.cursor == 2)
        #expect([editor.isPasted(at: 0), editor.isPasted(at: 1)] == [false, true])
        editor.paste("x\u{301}")
        #expect([editor.isPasted(at: 1), editor.isPasted(at: 2)] == [true, true])
    }
}

/// The paste collector: the text between the markers, bounded in size and in time.
@Suite("Paste collector")
struct PasteCollectorTests {
    @Test func lineBreaksAndControls() {
        let now = ContinuousClock.now
        var paste = PasteCollector(at: now)
        for scalar in "a\r\nb\rc\nd\t\u{7}\u{9B}é".unicodeScalars { paste.add(scalar.value, at: now) }
        #expect(paste.text == "a\nb\nc\nd\té")
    }

    @Test func boundedInSizeAndInTime() {
        let start = ContinuousClock.now
        var paste = PasteCollector(at: start)
        for _ in 0..<(PasteCollector.limit + 10) { paste.add(0x78, at: start) }
        #expect(paste.count == PasteCollector.limit + 1)
        #expect(!paste.isIdle(at: start + .milliseconds(100)))
        #expect(paste.isIdle(at: start + PasteCollector.idleTimeout + .milliseconds(1)))
    }
}
