import Testing

@testable import OzTUI

@Suite("Word wrap")
struct WordWrapTests {
    @Test(arguments: [
        ("", 10, 0, [""]),
        ("hello", 10, 0, ["hello"]),
        ("hello", 5, 0, ["hello"]),  // exact fit
        ("hello world", 11, 0, ["hello world"]),
        ("hello world", 5, 0, ["hello", "world"]),  // the space at the break is dropped
        ("hello world", 6, 0, ["hello", "world"]),
        ("hello world", 8, 0, ["hello", "world"]),
        ("a b c d e f", 3, 0, ["a b", "c d", "e f"]),
        ("one  two   three", 5, 0, ["one", "two", "three"]),  // a run of spaces at a break goes too
        ("  indented", 20, 0, ["  indented"]),  // leading spaces are kept
        ("trailing ", 20, 0, ["trailing "]),
        ("abcdefghij", 4, 0, ["abcd", "efgh", "ij"]),  // a long word is cut
        ("see https://example.com/a/long/path ok", 12, 0, ["see", "https://exam", "ple.com/a/lo", "ng/path ok"]),
        ("abc", 0, 0, ["a", "b", "c"]),  // width < 1 counts as 1
        ("    ", 2, 0, ["  "]),
    ])
    func latin(_ text: String, width: Int, indent: Int, expected: [String]) {
        #expect(WordWrap.wrap(text, width: width, indent: indent) == expected)
    }

    @Test(arguments: [
        (
            "12:00 <ann> hello there world", 16, 12,
            ["12:00 <ann>", "            hell", "            o", "            ther", "            e", "            worl", "            d"]
        ),
        ("12:00 <ann> hello there", 18, 6, ["12:00 <ann> hello", "      there"]),
        ("aaaa bbbbbbbb", 6, 2, ["aaaa", "  bbbb", "  bbbb"]),
        ("a bbbbbbbbbb", 8, 4, ["a", "    bbbb", "    bbbb", "    bb"]),  // the carried word is measured again for the indent
        ("one two three four", 9, 2, ["one two", "  three", "  four"]),
        ("abcdef", 3, 3, ["abc", "def"]),  // indent >= width is ignored
        ("abcdef", 3, 9, ["abc", "def"]),
    ])
    func hangingIndent(_ text: String, width: Int, indent: Int, expected: [String]) {
        #expect(WordWrap.wrap(text, width: width, indent: indent) == expected)
    }

    @Test(arguments: [
        ("日本語のテキスト", 6, 0, ["日本語", "のテキ", "スト"]),  // CJK breaks between any two characters
        ("日本語のテキスト", 5, 0, ["日本", "語の", "テキ", "スト"]),  // a wide character never straddles the edge
        ("abc日本", 4, 0, ["abc", "日本"]),  // break before a wide character
        ("日本ab cd", 5, 0, ["日本", "ab cd"]),  // and after one
        ("日本語。", 6, 0, ["日本", "語。"]),  // no line starts with closing punctuation
        ("「日本」語", 6, 0, ["「日", "本」語"]),  // brackets stay with their neighbours
        ("ab「日本」", 5, 0, ["ab", "「日", "本」"]),  // no line ends with opening punctuation
        ("日。。。", 2, 0, ["日", "。", "。", "。"]),  // unless there is no other way
        ("日本 語", 5, 0, ["日本", "語"]),
        ("日", 1, 0, ["日"]),  // alone on a line it is too wide for
        ("日本", 1, 0, ["日", "本"]),
        ("中文 English 混合", 8, 2, ["中文", "  Englis", "  h 混合"]),
    ])
    func wide(_ text: String, width: Int, indent: Int, expected: [String]) {
        #expect(WordWrap.wrap(text, width: width, indent: indent) == expected)
    }

    @Test(arguments: [
        ("😀😀😀", 4, ["😀😀", "😀"]),
        ("hi 👨‍👩‍👧‍👦 family", 5, ["hi 👨‍👩‍👧‍👦", "famil", "y"]),
        ("🇫🇷🇩🇪🇮🇹", 5, ["🇫🇷🇩🇪", "🇮🇹"]),
        ("ok 👍🏽👍🏽", 4, ["ok", "👍🏽👍🏽"]),
        ("e\u{301}e\u{301}e\u{301}", 2, ["e\u{301}e\u{301}", "e\u{301}"]),  // combining marks stay with their letter
        ("cafe\u{301} au lait", 6, ["cafe\u{301}", "au", "lait"]),
        ("a❤️b", 2, ["a", "❤️", "b"]),
    ])
    func graphemes(_ text: String, width: Int, expected: [String]) {
        #expect(WordWrap.wrap(text, width: width) == expected)
    }

    @Test(arguments: [1, 2, 3, 5, 8, 13, 40])
    func everyLineFitsAndNothingIsLost(width: Int) {
        let text = "Zoë 李雷 said: “hello 👨‍👩‍👧 e\u{301}tude” — 日本語のテキストです。 https://example.com/x?y=z 🇫🇷🇩🇪 done"
        for indent in [0, 2, 4] {
            let lines = WordWrap.wrap(text, width: width, indent: indent)
            let pad = indent < width ? indent : 0
            for (number, line) in lines.enumerated() {
                let body = number == 0 ? Substring(line) : line.dropFirst(pad)
                #expect(number == 0 || line.hasPrefix(String(repeating: " ", count: pad)))
                #expect(DisplayWidth.of(line) <= width || body.count == 1, "\(line) is too wide for \(width)")
            }
            let rejoined = lines.enumerated().map { $0.offset == 0 ? Substring($0.element) : $0.element.dropFirst(pad) }.joined()
            #expect(rejoined.filter { $0 != " " } == text.filter { $0 != " " })
        }
    }

    /// Random mixes of words, spaces, CJK, punctuation, emoji and combining marks: every line fits (or holds a lone wide
    /// grapheme), continuation lines are indented and start with no space, and only spaces at breaks are lost.
    @Test func randomTextsFollowTheRules() {
        let pieces = ["a", "word", " ", "  ", "日", "本", "。", "「", "」", "👨‍👩‍👧", "🇫🇷", "e\u{301}", "\u{301}", "❤️", ",", "(", "x"]
        var random = SplitMix(seed: 42)
        for _ in 0..<3000 {
            let text = (0..<random.next(below: 30)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
            let width = 1 + random.next(below: 12)
            let indent = random.next(below: 5)
            let pad = indent < width ? indent : 0
            let lines = WordWrap.wrap(text, width: width, indent: indent)
            let bodies = lines.enumerated().map { $0.offset == 0 ? Substring($0.element) : $0.element.dropFirst(pad) }
            for (number, body) in bodies.enumerated() where number > 0 {
                #expect(lines[number].hasPrefix(String(repeating: " ", count: pad)) && body.first != " " && !body.isEmpty, "\(lines)")
            }
            for (line, body) in zip(lines, bodies) where DisplayWidth.of(line) > width {
                #expect(body.count == 1 && DisplayWidth.of(String(body)) == 2, "\(lines) width \(width)")
            }
            #expect(bodies.joined().filter { $0 != " " } == text.filter { $0 != " " })
        }
    }

    @Test func longLogWrapsInLinearTime() {
        let line = "12:34 <someone> the quick brown fox jumps over the lazy dog 日本語のテキスト 👍🏽 again and again and again"
        let text = String(repeating: line + " ", count: 2000)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(WordWrap.wrap(text, width: 37, indent: 6).count > 2000)
        }
        #expect(elapsed < .seconds(5))
    }
}

/// A small seeded random number generator (SplitMix64), so that random tests repeat exactly.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
