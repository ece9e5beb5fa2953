// libFuzzer target: LineEditor (Sources/OzTUI/Editor/) driven by the input as a script of keys, edits and pastes,
// laid out after every step at a width the script chooses (sometimes masked).
// Checks: no crash; the cursor stays within the text and the text holds no control characters; each key does what
// its doc says (checked against the text before it: moves, kills, deletes, inserts); keys the editor does not handle
// change nothing; the visible part is a run of the text's graphemes no wider than the width (DisplayWidth), the
// cursor column lies inside both the view and the visible part, and laying out again without an edit changes nothing.

/// Stops the run with a message libFuzzer records next to the reproducer (preconditions lose it under -O).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Reads the fuzzer's bytes as a script.
struct Script {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next `count` bytes as UTF-8 text (invalid sequences become U+FFFD).
    mutating func text(_ count: Int) -> String {
        let end = min(bytes.count, position + count)
        defer { position = end }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
    }
}

/// Keys the editor leaves to the app.
let otherKeys: [Key] = [
    .enter, .tab, .backTab, .escape, .up, .down, .pageUp, .pageDown, .function(1), .resize, .control("x"), .control("l"), .control("r"),
    .alt("1"), .alt("a"), .altLeft, .altRight, .mouse(MouseEvent(.click, row: 0, column: 3)), .mouse(MouseEvent(.wheelUp, row: 2, column: 1)),
]

/// The scalars of the graphemes `range` of `text`.
func scalars(_ text: String, _ range: Range<Int>) -> [Unicode.Scalar] {
    Array(text).dropFirst(range.lowerBound).prefix(range.count).flatMap(\.unicodeScalars)
}

/// Checks what an editing key did, against the editor before it.
func checkEdit(_ key: Key, before: LineEditor, after: LineEditor) {
    let (text, cursor, count) = (before.text, before.cursor, before.text.count)
    let result = Array(after.text.unicodeScalars)
    let what = "\(key) on \(text.debugDescription) at \(cursor) gave \(after.text.debugDescription) at \(after.cursor)"
    switch key {
    // Moves change neither the text nor which of it was pasted.
    case .left, .control("b"): require(after == before.moved(to: max(0, cursor - 1)), what)
    case .right, .control("f"): require(after == before.moved(to: min(count, cursor + 1)), what)
    case .home, .control("a"): require(after == before.moved(to: 0), what)
    case .end, .control("e"): require(after == before.moved(to: count), what)
    case .control("k"): require(result == scalars(text, 0..<cursor) && after.cursor == cursor, what)
    case .control("u"): require(result == scalars(text, cursor..<count) && after.cursor == 0, what)
    case .backspace where cursor > 0:
        require(result == scalars(text, 0..<cursor - 1) + scalars(text, cursor..<count) && after.cursor <= cursor, what)
    case .delete where cursor < count, .control("d") where cursor < count:
        require(result == scalars(text, 0..<cursor) + scalars(text, cursor + 1..<count) && after.cursor >= cursor - 1, what)
    case .backspace, .delete, .control("d"): require(after == before, what)
    case .text(let typed):
        let inserted = Array(LineEditor.sanitize(typed).unicodeScalars)
        require(result == scalars(text, 0..<cursor) + inserted + scalars(text, cursor..<count), what)
        // After the inserted text (on the next boundary if it joined a neighbour).
        require(
            after.cursor >= cursor && Array(after.text.prefix(after.cursor).unicodeScalars).count >= scalars(text, 0..<cursor).count + inserted.count,
            what)
    default: break
    }
}

extension LineEditor {
    /// This editor with the cursor at `cursor` (moved there a grapheme at a time from the end), for comparing moves.
    func moved(to cursor: Int) -> LineEditor {
        var copy = self
        copy.handle(.end)
        for _ in cursor..<text.count { copy.handle(.left) }
        return copy
    }
}

func check(_ editor: inout LineEditor, width: Int, masked: Bool) {
    let count = editor.text.count
    require((0...count).contains(editor.cursor), "cursor \(editor.cursor) outside a text of \(count) graphemes")
    require(
        !editor.text.unicodeScalars.contains { ($0.value < 0x20 && $0.value != 0x0A) || (0x7F...0x9F).contains($0.value) },
        "control character in the text")
    let (visible, column) = editor.layout(width: width, masked: masked)
    let view = max(1, width)
    let shown = DisplayWidth.of(visible)
    require(shown <= view, "visible part \(visible.debugDescription) is \(shown) columns wide in \(view)")
    require(column >= 0 && column < view, "cursor column \(column) outside a view of \(view) columns")
    require(column <= shown, "cursor column \(column) beyond the \(shown) visible columns")
    if masked {
        require(visible.allSatisfy { $0 == "*" }, "masked view shows \(visible.debugDescription)")
    } else {
        let graphemes = LineEditor.shownGraphemes(of: editor.text)
        let part = Array(visible)
        require(
            part.isEmpty || (0...graphemes.count - part.count).contains { graphemes[$0..<$0 + part.count].elementsEqual(part) },
            "visible part \(visible.debugDescription) is not a run of \(editor.text.debugDescription)")
    }
    let again = editor.layout(width: width, masked: masked)
    require(again.visible == visible && again.cursorColumn == column, "laying out twice moved the view of \(editor.text.debugDescription)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var script = Script(bytes: UnsafeBufferPointer(start: data, count: size))
    var editor = LineEditor(text: script.text(Int(script.byte() % 8)))
    var width = 10
    var masked = false
    while !script.isAtEnd {
        let op = script.byte()
        var key: Key?
        switch op % 20 {
        case 0: key = .text(script.text(Int(script.byte() % 8)))
        case 1: key = .text(script.text(Int(script.byte())))  // a paste
        case 2: key = .left
        case 3: key = .right
        case 4: key = .home
        case 5: key = .end
        case 6: key = .backspace
        case 7: key = .delete
        case 8: key = .control("k")
        case 9: key = .control("u")
        case 10: key = .control("w")
        case 11: key = .control(["a", "b", "d", "e", "f"][Int(script.byte() % 5)])
        case 12:
            let text = script.text(Int(script.byte() % 32))
            editor.set(text)
            require(
                editor.text == LineEditor.sanitize(text, keepingLineBreaks: true) && editor.cursor == editor.text.count && !editor.holdsPastedText,
                "set(\(text.debugDescription))")
        case 13:
            editor.clear()
            require(editor.text.isEmpty && editor.cursor == 0, "clear()")
        case 14:
            let before = editor
            let key = otherKeys[Int(script.byte()) % otherKeys.count]
            require(!editor.handle(key), "the editor handled \(key)")
            require(editor == before, "the unhandled key \(key) changed the editor")
        case 15, 16: width = Int(script.byte() % 48) - 2  // 0 and below are clamped to one column
        case 17: masked.toggle()
        case 18 where op & 0x80 != 0:
            // A bracketed paste: its text lands at the cursor with line breaks kept, every grapheme of it marked pasted.
            let text = script.text(Int(script.byte()))
            let before = editor
            editor.paste(text)
            let inserted = Array(LineEditor.sanitize(text, keepingLineBreaks: true).unicodeScalars)
            require(
                Array(editor.text.unicodeScalars) == scalars(before.text, 0..<before.cursor) + inserted
                    + scalars(before.text, before.cursor..<before.text.count),
                "paste(\(text.debugDescription)) on \(before.text.debugDescription)")
            require(inserted.isEmpty || editor.holdsPastedText, "a paste left no pasted mark")
        default: key = .text(String(UnicodeScalar(UInt8(0x20 + op % 0x5F))))
        }
        if let key {
            let before = editor
            require(editor.handle(key), "the editor did not handle \(key)")
            checkEdit(key, before: before, after: editor)
        }
        check(&editor, width: width, masked: masked)
    }
    return 0
}
