import Testing

@testable import OzTUI

@Suite("Line editor")
struct LineEditorTests {
    /// An editor holding `text` with the cursor at grapheme `cursor`.
    static func editor(_ text: String, cursor: Int? = nil) -> LineEditor {
        var editor = LineEditor(text: text)
        if let cursor { for _ in cursor..<editor.text.count { editor.handle(.left) } }
        return editor
    }

    @Test func startsEmptyOrAtTheEndOfItsText() {
        #expect(LineEditor().text == "" && LineEditor().cursor == 0)
        let editor = LineEditor(text: "héllo 👋🏽")
        #expect(editor.text == "héllo 👋🏽" && editor.cursor == 7)
    }

    @Test func typingInsertsAtTheCursor() {
        var editor = Self.editor("hd", cursor: 1)
        let handled = editor.handle(.text("ello worl"))
        #expect(handled)
        #expect(editor.text == "hello world" && editor.cursor == 10)
        editor.insert("日本")
        #expect(editor.text == "hello worl日本d" && editor.cursor == 12)
    }

    @Test(arguments: [
        ("a\nb", "a b"), ("a\r\nb", "a b"), ("a\tb", "a b"), ("a\rb", "a b"), ("\u{1B}[31mred", "[31mred"), ("bell\u{07}", "bell"),
        ("del\u{7F}", "del"), ("c1\u{9B}x", "c1x"), ("nel\u{85}x", "nel x"), ("ls\u{2028}x", "ls x"), ("e\u{301} 😀", "e\u{301} 😀"),
    ])
    func insertedTextIsSanitised(_ input: String, expected: String) {
        var editor = LineEditor()
        editor.insert(input)
        #expect(editor.text == expected && editor.cursor == expected.count)
        #expect(LineEditor(text: input).text == expected)
        // A recalled history line keeps its line breaks (a multi-line paste sent earlier), as "\n".
        editor.set(input)
        let kept = LineEditor.sanitize(input, keepingLineBreaks: true)
        #expect(editor.text == kept && editor.cursor == kept.count)
        #expect(kept == expected || kept.contains("\n"))
    }

    @Test func aCombiningMarkJoinsTheLetterBeforeTheCursor() {
        var editor = Self.editor("cafe!", cursor: 4)
        editor.insert("\u{301}")
        #expect(editor.text == "cafe\u{301}!" && editor.cursor == 4)
        editor.handle(.backspace)
        #expect(editor.text == "caf!" && editor.cursor == 3)
    }

    @Test func regionalIndicatorsPairIntoAFlag() {
        var editor = LineEditor(text: "\u{1F1EB}")
        editor.insert("\u{1F1F7}")
        #expect(editor.text == "🇫🇷" && editor.cursor == 1)
    }

    @Test func movesByGrapheme() {
        var editor = LineEditor(text: "a👨‍👩‍👧b🇫🇷e\u{301}")
        #expect(editor.cursor == 5)
        for (key, cursor) in [(Key.left, 4), (.control("b"), 3), (.left, 2), (.left, 1), (.left, 0), (.left, 0)] {
            let handled = editor.handle(key)
            #expect(handled)
            #expect(editor.cursor == cursor)
        }
        for (key, cursor) in [(Key.right, 1), (.control("f"), 2), (.right, 3), (.right, 4), (.right, 5), (.right, 5)] {
            let handled = editor.handle(key)
            #expect(handled)
            #expect(editor.cursor == cursor)
        }
    }

    @Test(arguments: [Key.home, .control("a")])
    func home(_ key: Key) {
        var editor = LineEditor(text: "hello")
        let handled = editor.handle(key)
        #expect(handled && editor.cursor == 0)
    }

    @Test(arguments: [Key.end, .control("e")])
    func end(_ key: Key) {
        var editor = Self.editor("hello", cursor: 1)
        let handled = editor.handle(key)
        #expect(handled && editor.cursor == 5)
    }

    @Test(arguments: [
        ("ab👨‍👩‍👧‍👦", 3, "ab", 2), ("a🇫🇷b", 2, "ab", 1), ("xe\u{301}", 2, "x", 1), ("👍🏽!", 1, "!", 0), ("日本", 1, "本", 0),
        ("abc", 0, "abc", 0), ("", 0, "", 0),
    ])
    func backspaceDeletesTheGraphemeBefore(_ text: String, cursor: Int, expected: String, expectedCursor: Int) {
        var editor = Self.editor(text, cursor: cursor)
        let handled = editor.handle(.backspace)
        #expect(handled)
        #expect(editor.text == expected && editor.cursor == expectedCursor)
    }

    @Test(arguments: [Key.delete, .control("d")])
    func deleteRemovesTheGraphemeAfter(_ key: Key) {
        var editor = Self.editor("a👨‍👩‍👧‍👦e\u{301}🇫🇷", cursor: 1)
        let handled = editor.handle(key)
        #expect(handled)
        #expect(editor.text == "ae\u{301}🇫🇷" && editor.cursor == 1)
        editor.handle(key)
        #expect(editor.text == "a🇫🇷")
        editor.handle(key)
        editor.handle(key)
        #expect(editor.text == "a" && editor.cursor == 1)
    }

    @Test func deletingBetweenRegionalIndicatorsKeepsTheCursorOnABoundary() {
        var editor = Self.editor("\u{1F1EB}x\u{1F1F7}", cursor: 2)
        editor.handle(.backspace)
        #expect(editor.text == "🇫🇷" && editor.cursor == 1)
    }

    @Test func ctrlKKillsToTheEnd() {
        var editor = Self.editor("hello 日本", cursor: 3)
        let handled = editor.handle(.control("k"))
        #expect(handled)
        #expect(editor.text == "hel" && editor.cursor == 3)
    }

    @Test func ctrlUKillsToTheStart() {
        var editor = Self.editor("hello 日本", cursor: 3)
        let handled = editor.handle(.control("u"))
        #expect(handled)
        #expect(editor.text == "lo 日本" && editor.cursor == 0)
    }

    @Test(arguments: [
        ("hello big world", 15, "hello big ", 10), ("hello big world  ", 17, "hello big ", 10), ("hello big world", 9, "hello  world", 6),
        ("hello", 5, "", 0), ("   ", 3, "", 0), ("one 日本語 👍🏽", 9, "one 日本語 ", 8), ("one 日本語 👍🏽", 8, "one 👍🏽", 4),
        ("a b", 0, "a b", 0),
    ])
    func ctrlWDeletesTheWordBefore(_ text: String, cursor: Int, expected: String, expectedCursor: Int) {
        var editor = Self.editor(text, cursor: cursor)
        let handled = editor.handle(.control("w"))
        #expect(handled)
        #expect(editor.text == expected && editor.cursor == expectedCursor)
    }

    @Test(arguments: [
        Key.enter, .tab, .backTab, .escape, .up, .down, .pageUp, .pageDown, .control("c"), .control("l"), .control("t"), .function(2), .resize,
    ])
    func leavesOtherKeysToTheApp(_ key: Key) {
        var editor = Self.editor("hello", cursor: 2)
        let handled = editor.handle(key)
        #expect(!handled)
        #expect(editor == Self.editor("hello", cursor: 2))
    }

    @Test func clearAndSet() {
        var editor = Self.editor("hello", cursor: 2)
        editor.clear()
        #expect(editor.text == "" && editor.cursor == 0)
        editor.set("again")
        #expect(editor.text == "again" && editor.cursor == 5)
    }

    // MARK: - The view

    /// Lays the editor out in `width` columns and shows the visible text with `|` at the cursor's column.
    static func show(_ editor: inout LineEditor, width: Int, masked: Bool = false) -> String {
        let (visible, cursorColumn) = editor.layout(width: width, masked: masked)
        var shown = ""
        var column = 0
        for grapheme in visible {
            if column == cursorColumn { shown += "|" }
            shown.append(grapheme)
            column += DisplayWidth.of(grapheme)
        }
        return column == cursorColumn ? shown + "|" : shown
    }

    @Test func shortTextIsShownWhole() {
        var editor = LineEditor(text: "hi 日本")
        #expect(Self.show(&editor, width: 10) == "hi 日本|")
        editor.handle(.home)
        #expect(Self.show(&editor, width: 10) == "|hi 日本")
    }

    @Test func keepsAColumnForTheCursorAtTheEnd() {
        var editor = LineEditor(text: "abcdefghij")
        #expect(Self.show(&editor, width: 10) == "bcdefghij|")
        editor.handle(.home)
        #expect(Self.show(&editor, width: 10) == "|abcdefghij")
    }

    @Test func scrollsOnlyWhenTheCursorLeavesTheView() {
        var editor = LineEditor(text: "0123456789abcdefghij")
        #expect(Self.show(&editor, width: 10) == "bcdefghij|")
        // Moving left inside the view keeps it still.
        for column in (0..<9).reversed() {
            editor.handle(.left)
            let view = editor.layout(width: 10)
            #expect(view.visible == "bcdefghij" && view.cursorColumn == column)
        }
        // Past its left edge, the view follows the cursor one grapheme at a time.
        editor.handle(.left)
        #expect(Self.show(&editor, width: 10) == "|abcdefghij")
        editor.handle(.left)
        #expect(Self.show(&editor, width: 10) == "|9abcdefghi")
        // Moving right again keeps it still until the cursor reaches the right edge.
        for column in 1...9 {
            editor.handle(.right)
            let view = editor.layout(width: 10)
            #expect(view.visible == "9abcdefghi" && view.cursorColumn == column)
        }
        editor.handle(.right)
        #expect(Self.show(&editor, width: 10) == "abcdefghi|j")
        // Typing in the middle does not move the view either.
        editor.handle(.home)
        _ = editor.layout(width: 10)
        for _ in 0..<4 { editor.handle(.right) }
        editor.insert("X")
        #expect(Self.show(&editor, width: 10) == "0123X|45678")
    }

    @Test func deletingAtTheEndBringsHiddenTextBack() {
        var editor = LineEditor(text: "0123456789abcdefghij")
        #expect(Self.show(&editor, width: 10) == "bcdefghij|")
        editor.handle(.backspace)
        #expect(Self.show(&editor, width: 10) == "abcdefghi|")
        editor.handle(.control("w"))
        #expect(Self.show(&editor, width: 10) == "|")
        editor.set("0123456789abcdefghij")
        _ = editor.layout(width: 10)
        editor.handle(.control("u"))
        #expect(Self.show(&editor, width: 10) == "|")
    }

    @Test func wideCharactersAreNeverCutAtTheRightEdge() {
        var editor = LineEditor(text: "ab日本語")
        editor.handle(.home)
        #expect(Self.show(&editor, width: 5) == "|ab日")
        #expect(Self.show(&editor, width: 6) == "|ab日本")
        #expect(Self.show(&editor, width: 7) == "|ab日本")
    }

    @Test func aWideCharacterUnderTheCursorIsShownWhole() {
        var editor = LineEditor(text: "abcd日")
        editor.handle(.left)
        // The cursor is on 日 (columns 4 and 5): a view of 5 columns scrolls by one to show both.
        #expect(Self.show(&editor, width: 5) == "bcd|日")
        editor.handle(.home)
        #expect(Self.show(&editor, width: 5) == "|abcd")
    }

    @Test func wideCharactersAreNeverCutAtTheLeftEdge() {
        var editor = LineEditor(text: "日本語日本語")
        #expect(Self.show(&editor, width: 7) == "日本語|")
        var narrower = LineEditor(text: "日本語日本語")
        #expect(Self.show(&narrower, width: 6) == "本語|")  // half of 日 would fit at the left: it is left out
        for width in 1...13 {
            var editor = LineEditor(text: "日本語日本語")
            for _ in 0..<7 {
                let (visible, column) = editor.layout(width: width)
                #expect(DisplayWidth.of(visible) <= width)
                #expect(column <= max(0, width - 1))
                #expect("日本語日本語".contains(visible))
                editor.handle(.left)
            }
        }
    }

    @Test func masksEveryGraphemeWithAStar() {
        var editor = LineEditor(text: "pä👨‍👩‍👧s日")
        #expect(Self.show(&editor, width: 10, masked: true) == "*****|")
        #expect(Self.show(&editor, width: 4, masked: true) == "***|")
        editor.handle(.home)
        #expect(Self.show(&editor, width: 4, masked: true) == "|****")
    }

    @Test func tinyWidths() {
        var editor = LineEditor(text: "ab")
        #expect(Self.show(&editor, width: 1) == "|")
        #expect(Self.show(&editor, width: 0) == "|")
        editor.handle(.left)
        #expect(Self.show(&editor, width: 1) == "|b")
        var wide = LineEditor(text: "日")
        wide.handle(.home)
        #expect(Self.show(&wide, width: 1) == "|")
    }

    @Test func equalityIgnoresTheScrollOffset() {
        var scrolled = LineEditor(text: "0123456789abcdefghij")
        _ = scrolled.layout(width: 5)
        #expect(scrolled == LineEditor(text: "0123456789abcdefghij"))
    }

    /// Found by the fuzzer: a pasted line break drawn as `↵` must not join the variation selector after it into one
    /// character, or the drawn line has fewer characters than the text has graphemes and the cursor lands wrong.
    @Test func aVariationSelectorAfterALineBreakIsDrawnApart() {
        var editor = LineEditor()
        editor.paste("a\n\u{FE0F}b")
        let (visible, column) = editor.layout(width: 20)
        #expect(Array(visible) == ["a", "↵", "\u{FFFD}", "b"])
        #expect(column == 4 && editor.cursor == 4)
    }

    /// Found by the fuzzer (CI's smoke run): a prepended format character (U+070F) before a pasted line break would join
    /// the drawn `↵` the same way.
    @Test func aPrependedFormatCharacterBeforeALineBreakIsDrawnApart() {
        var editor = LineEditor()
        editor.paste("a\u{070F}\nb")
        #expect(editor.text.count == 4)
        let (visible, column) = editor.layout(width: 20)
        #expect(Array(visible) == ["a", "\u{FFFD}", "↵", "b"])
        #expect(column == 4 && editor.cursor == 4)
    }
}
