/// Breaks text into lines that fit a width in terminal columns: greedy, in one pass (linear time), for re-wrapping a
/// whole chat log on resize.
///
/// Lines break at spaces (the run of spaces at a break is dropped) or next to a wide (CJK) character, where no space
/// is needed (but not before closing punctuation such as `。` or after opening punctuation such as `「`). A word longer
/// than a line is cut between graphemes. A grapheme is never split, so a wide character alone on a one-column line
/// still takes its two columns.
public enum WordWrap {
    /// The lines of `text` (already sanitised: no control characters), each at most `width` columns wide; continuation
    /// lines start with `indent` spaces (a hanging indent, ignored when it leaves no room). Empty text gives one empty line.
    public static func wrap(_ text: String, width: Int, indent: Int = 0) -> [String] {
        let width = max(1, width)
        let indent = indent < width ? max(0, indent) : 0
        let padding = String(repeating: " ", count: indent)
        var lines: [String] = []
        var lineStart = text.startIndex
        var limit = width
        var column = 0  // Columns from lineStart up to index.
        var breakEnd: String.Index?  // Where the line ends if it breaks at the latest opportunity…
        var breakResume = lineStart  // …where the next line then starts…
        var resumeColumn = 0  // …and the columns from lineStart to there.
        var afterSpace = false
        var previous = Grapheme.lineStart
        var index = text.startIndex

        func startLine(at start: String.Index) {
            var line = lines.isEmpty ? "" : padding
            line.append(contentsOf: text[lineStart..<(breakEnd ?? start)])
            lines.append(line)
            lineStart = start
            limit = width - indent
            column = 0
            breakEnd = nil
            afterSpace = false
            previous = .lineStart
        }

        while index < text.endIndex {
            let grapheme = Grapheme(in: text, at: index)
            if grapheme.isSpace {
                if column + 1 > limit {
                    // The line is full: end it before this run of spaces (unless the line is nothing but spaces).
                    if !afterSpace || breakEnd == lineStart { breakEnd = index }
                    index = grapheme.next
                    while index < text.endIndex {
                        let following = Grapheme(in: text, at: index)
                        guard following.isSpace else { break }
                        index = following.next
                    }
                    startLine(at: index)
                    continue
                }
                if !afterSpace { breakEnd = index }
                column += 1
                breakResume = grapheme.next
                resumeColumn = column
                afterSpace = true
                previous = grapheme
                index = grapheme.next
                continue
            }
            if grapheme.width > 0, !afterSpace, index > lineStart, grapheme.mayBreakBefore, previous.mayBreakAfter,
                grapheme.isWide || previous.isWide
            {
                breakEnd = index
                breakResume = index
                resumeColumn = column
            }
            if grapheme.width > 0, column + grapheme.width > limit, index > lineStart {
                if let end = breakEnd, end > lineStart {  // else a hard break before this grapheme
                    // Break at the latest opportunity and carry what follows it over to the new line.
                    let carried = column - resumeColumn
                    let resume = breakResume
                    startLine(at: resume)
                    if carried > limit {
                        index = resume  // The new line is narrower (the indent): measure the carried text again.
                    } else {
                        column = carried
                        previous = Grapheme(in: text, before: index, after: resume)
                    }
                } else {
                    breakEnd = index
                    startLine(at: index)
                }
                continue
            }
            column += grapheme.width
            afterSpace = false
            if grapheme.width > 0 { previous = grapheme }
            index = grapheme.next
        }
        if lineStart < text.endIndex || lines.isEmpty {
            breakEnd = nil
            startLine(at: text.endIndex)
        }
        return lines
    }
}

/// One grapheme as line breaking sees it: its width, where the next one starts, and how it may break.
private struct Grapheme {
    var width: Int
    var next: String.Index
    var isSpace = false
    /// Closing punctuation (`,`, `。`, `」`…) must not start a line.
    var mayBreakBefore = true
    /// Opening punctuation (`(`, `「`…) must not end a line.
    var mayBreakAfter = true

    var isWide: Bool { width == 2 }

    /// Stands for "nothing yet" at the start of a line.
    static let lineStart = Grapheme(width: 0, next: "".startIndex)

    init(width: Int, next: String.Index) {
        self.width = width
        self.next = next
    }

    /// The grapheme starting at `index`; printable ASCII followed by ASCII (the common case) skips grapheme breaking.
    init(in text: String, at index: String.Index) {
        let utf8 = text.utf8
        let byte = utf8[index]
        if byte >= 0x20, byte < 0x7F {
            let after = utf8.index(after: index)
            if after == utf8.endIndex || utf8[after] < 0x80 {
                self.init(width: 1, next: after)
                switch byte {
                case 0x20: isSpace = true
                case 0x21, 0x29, 0x2C, 0x2E, 0x3A, 0x3B, 0x3F, 0x5D, 0x7D: mayBreakBefore = false  // ! ) , . : ; ? ] }
                case 0x28, 0x5B, 0x7B: mayBreakAfter = false  // ( [ {
                default: break
                }
                return
            }
        }
        let character = text[index]
        self.init(width: DisplayWidth.of(character), next: utf8.index(index, offsetBy: character.utf8.count))
        let first = character.unicodeScalars.first!.value
        isSpace = character == " "
        mayBreakBefore = !Self.isClosing(first)
        mayBreakAfter = !Self.isOpening(first)
    }

    /// The last grapheme with some width before `index` (and at or after `start`), or `lineStart` if there is none.
    init(in text: String, before index: String.Index, after start: String.Index) {
        var position = index
        while position > start {
            position = text.index(before: position)
            let grapheme = Grapheme(in: text, at: position)
            if grapheme.width > 0 {
                self = grapheme
                return
            }
        }
        self = .lineStart
    }

    /// CJK closing punctuation, iteration marks, the prolonged sound mark and small kana: no line starts with them.
    private static func isClosing(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017, 0x3019, 0x301B, 0x301E, 0x301F: true
        case 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E, 0x309D, 0x309E: true
        case 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30FC, 0x30FD, 0x30FE: true
        case 0x2025, 0x2026, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D, 0xFF5D, 0xFF60, 0xFF61, 0xFF63, 0xFF64: true
        default: false
        }
    }

    /// CJK opening brackets: no line ends with them.
    private static func isOpening(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x3008, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016, 0x3018, 0x301A, 0x301D, 0xFF08, 0xFF3B, 0xFF5B, 0xFF5F, 0xFF62: true
        default: false
        }
    }
}
