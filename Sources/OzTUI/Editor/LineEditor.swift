/// The input line: text edited by grapheme (an emoji, a flag or a letter with its accents moves and deletes as one)
/// with Emacs/readline keys, and a horizontally scrolling view for drawing it in a fixed width.
///
/// `handle` takes the keys that edit or move (see there) and returns false for the rest (Enter, Up, Tab…), which the
/// app handles itself.
///
/// Pasted text (`paste`) may hold line breaks, kept as "\n" and drawn as `↵`; the editor remembers, grapheme by
/// grapheme, which text was pasted (`isPasted`), so the app can tell a typed `/command` from pasted text that merely
/// starts with `/`.
public struct LineEditor: Sendable, Equatable {
    /// The line, free of control characters other than the "\n" line breaks a paste brought.
    public private(set) var text: String
    /// The cursor, as a grapheme index in `text` (0 is before the first grapheme, `text.count` after the last).
    public private(set) var cursor: Int
    /// The first grapheme shown by `layout`; kept between calls so that the view scrolls only when it must.
    private var scroll = 0
    /// For each grapheme of `text`, whether it came from a paste (always `text.count` long).
    private var pastedMarks: [Bool]

    /// What `layout` draws for a line break.
    public static let lineBreakMark = "↵"

    public init(text: String = "") {
        self.text = Self.sanitize(text)
        cursor = self.text.count
        pastedMarks = Array(repeating: false, count: cursor)
    }

    /// Whether any of the text came from a paste.
    public var holdsPastedText: Bool { pastedMarks.contains(true) }

    /// Whether the grapheme at `index` came from a paste.
    public func isPasted(at index: Int) -> Bool { pastedMarks.indices.contains(index) && pastedMarks[index] }

    /// Inserts pasted text at the cursor: line breaks (CR, LF, CR LF, NEL, U+2028, U+2029) are kept as "\n", tabs
    /// become spaces, other control characters are dropped, and every grapheme is marked as pasted.
    public mutating func paste(_ text: String) {
        replace(cursor..<cursor, with: Self.sanitize(text, keepingLineBreaks: true), pasted: true)
    }

    /// The text as Up/Down history should keep it, so that recalling it does what sending it did: a line whose first
    /// grapheme is a pasted `/` was text, not a command, and is kept with the `//` escape.
    public var recallText: String {
        isPasted(at: 0) && text.hasPrefix("/") ? "/" + text : text
    }

    /// Inserts text (typed or pasted) at the cursor and moves the cursor after it. Line breaks and tabs become spaces;
    /// other control characters are dropped.
    public mutating func insert(_ text: String) {
        replace(cursor..<cursor, with: Self.sanitize(text))
    }

    /// Replaces the whole line (as typed text; line breaks in it are kept) and puts the cursor at its end.
    public mutating func set(_ text: String) {
        self.text = Self.sanitize(text, keepingLineBreaks: true)
        cursor = self.text.count
        pastedMarks = Array(repeating: false, count: cursor)
        scroll = 0
    }

    /// Empties the line.
    public mutating func clear() {
        text = ""
        cursor = 0
        pastedMarks = []
        scroll = 0
    }

    /// Applies an editing or movement key; false if the key is not one of them (the app's to handle).
    ///
    /// Text inserts; Left/Right, Ctrl-B/Ctrl-F move by a grapheme; Home/End, Ctrl-A/Ctrl-E go to the ends;
    /// Backspace deletes before the cursor, Delete and Ctrl-D after it; Ctrl-K kills to the end, Ctrl-U to the start,
    /// Ctrl-W the word before the cursor (shell-style: spaces, then everything back to the previous space).
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        let count = text.count
        switch key {
        case .text(let typed): insert(typed)
        // A one-line field (the credentials prompt) takes a paste without its leading and trailing line breaks.
        case .paste(let pasted): insert(pasted.trimmingLineBreaks)
        case .left, .control("b"): cursor = max(0, cursor - 1)
        case .right, .control("f"): cursor = min(count, cursor + 1)
        case .home, .control("a"): cursor = 0
        case .end, .control("e"): cursor = count
        case .backspace: if cursor > 0 { replace(cursor - 1..<cursor, with: "") }
        case .delete, .control("d"): if cursor < count { replace(cursor..<cursor + 1, with: "") }
        case .control("k"): replace(cursor..<count, with: "")
        case .control("u"): replace(0..<cursor, with: "")
        case .control("w"): replace(wordStart(before: cursor)..<cursor, with: "")
        default: return false
        }
        return true
    }

    /// Replaces the graphemes in `range` and puts the cursor after the new text (on the next grapheme boundary, should
    /// the new text join a neighbour, as a combining mark joins the letter before it). The new graphemes are marked
    /// `pasted` or typed; when the text joins a neighbour, the neighbour keeps its mark.
    mutating func replace(_ range: Range<Int>, with replacement: String, pasted: Bool = false) {
        let lower = text.index(text.startIndex, offsetBy: range.lowerBound)
        let upper = text.index(lower, offsetBy: range.count)
        let end = text.utf8.distance(from: text.startIndex, to: lower) + replacement.utf8.count
        text.replaceSubrange(lower..<upper, with: replacement)
        let boundary = text.utf8.index(text.startIndex, offsetBy: end)
        var graphemes = 0
        var index = text.startIndex
        while index < boundary {
            index = text.index(after: index)
            graphemes += 1
        }
        cursor = graphemes
        // Keep one mark per grapheme: the graphemes up to the range are unchanged (bar a join with the last of them),
        // the ones after it too; what lies between is new.
        let total = graphemes + text[boundary...].count
        let kept = pastedMarks.count - range.count
        let inserted = total - kept
        let lowerBound = min(range.lowerBound, pastedMarks.count)
        let upperBound = min(range.upperBound, pastedMarks.count)
        if inserted >= 0 {
            pastedMarks.replaceSubrange(lowerBound..<upperBound, with: repeatElement(pasted, count: inserted))
        } else {
            let end = min(pastedMarks.count, upperBound - inserted)
            pastedMarks.replaceSubrange(lowerBound..<end, with: [])
        }
        if pastedMarks.count != total {  // never expected; keeps the invariant whatever Unicode does
            pastedMarks = Array(pastedMarks.prefix(total)) + Array(repeating: pasted, count: max(0, total - pastedMarks.count))
        }
        // Pasted text that joined the grapheme before it (a pasted combining mark) makes that grapheme pasted too: any
        // grapheme holding pasted scalars counts as pasted.
        if pasted, !replacement.isEmpty, cursor > 0, !pastedMarks[cursor - 1] {
            let start = text.utf8.index(text.startIndex, offsetBy: end - replacement.utf8.count)
            var first = 0
            var position = text.startIndex
            while position < start {
                let next = text.index(after: position)
                if next > start { break }
                position = next
                first += 1
            }
            for index in first..<cursor { pastedMarks[index] = true }
        }
    }

    /// What to draw of the line in `width` columns and the cursor's column in it, scrolling horizontally like readline:
    /// the view moves only when the cursor would leave it (or when deleting leaves hidden text at the left and room at
    /// the right), keeps a column free after the text for the cursor, and never cuts a wide character at either edge.
    /// `masked` shows each grapheme as `*` (passwords). Mutating because it remembers the scroll offset: call it on the
    /// stored editor, not a copy, for the view to stay put between frames.
    public mutating func layout(width: Int, masked: Bool = false) -> (visible: String, cursorColumn: Int) {
        let width = max(1, width)
        let graphemes = masked ? Array(repeating: "*", count: text.count) : Self.shownGraphemes(of: text)
        let widths = graphemes.map { DisplayWidth.of($0) }
        // The leftmost start that still shows the cursor's cell (the whole grapheme under it, or a column at the end).
        var lowest = cursor
        var used = cursor < widths.count ? max(1, widths[cursor]) : 1
        while lowest > 0, used + widths[lowest - 1] <= width {
            lowest -= 1
            used += widths[lowest]
        }
        // The leftmost start that fills the view up to the end of the text and the column after it.
        var filled = widths.count
        var tail = 1
        while filled > 0, tail + widths[filled - 1] <= width {
            filled -= 1
            tail += widths[filled]
        }
        scroll = min(max(scroll, lowest), cursor, filled)
        var visible = ""
        var columns = 0
        var index = scroll
        while index < graphemes.count, columns + widths[index] <= width {
            visible.append(graphemes[index])
            columns += widths[index]
            index += 1
        }
        return (visible, widths[scroll..<cursor].reduce(0, +))
    }

    /// How each grapheme of `text` is drawn: a line break as `↵`, and a grapheme that would join that `↵` into one
    /// character as U+FFFD — a lone variation selector or combining mark after a pasted line break, or a prepended
    /// format character (U+0600–U+0605, U+070F, …) before one — so the drawn line has exactly one character per grapheme
    /// and the cursor columns stay true.
    public static func shownGraphemes(of text: String) -> [Character] {
        var shown: [Character] = []
        shown.reserveCapacity(text.count)
        for grapheme in text {
            if grapheme == "\n" {
                if let last = shown.last, (String(last) + lineBreakMark).count != 2 { shown[shown.count - 1] = "\u{FFFD}" }
                shown.append(Character(lineBreakMark))
            } else if shown.last == Character(lineBreakMark), (lineBreakMark + String(grapheme)).count != 2 {
                shown.append("\u{FFFD}")
            } else {
                shown.append(grapheme)
            }
        }
        return shown
    }

    /// Where the word before `position` starts: back over spaces, then back to just after the previous space.
    private func wordStart(before position: Int) -> Int {
        let graphemes = Array(text.prefix(position))
        var start = graphemes.count
        while start > 0, graphemes[start - 1] == " " { start -= 1 }
        while start > 0, graphemes[start - 1] != " " { start -= 1 }
        return start
    }

    /// The text with tabs and line breaks (CR, LF, CR LF, NEL, U+2028, U+2029) turned into spaces (line breaks into
    /// "\n" when `keepingLineBreaks`) and the other control characters (C0, DEL, C1) removed.
    static func sanitize(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var scalars = String.UnicodeScalarView()
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where afterCarriageReturn: break  // CR LF is one line break.
            case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: scalars.append(keepingLineBreaks ? "\n" : " ")
            case 0x09: scalars.append(" ")
            case 0x00..<0x20, 0x7F...0x9F: break
            default: scalars.append(scalar)
            }
            afterCarriageReturn = scalar.value == 0x0D
        }
        return String(scalars)
    }

    /// C0, DEL, C1, and the Unicode line and paragraph separators.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// Editors are equal when their text, cursor and pasted marks are (the scroll offset is a detail of the view).
    public static func == (lhs: LineEditor, rhs: LineEditor) -> Bool {
        lhs.text == rhs.text && lhs.cursor == rhs.cursor && lhs.pastedMarks == rhs.pastedMarks
    }
}

extension String {
    /// The string without the line breaks (CR, LF, NEL, U+2028, U+2029) at its start and end.
    var trimmingLineBreaks: String {
        let isBreak: (Unicode.Scalar) -> Bool = { [0x0A, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBreak($0) }), let last = scalars.lastIndex(where: { !isBreak($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
