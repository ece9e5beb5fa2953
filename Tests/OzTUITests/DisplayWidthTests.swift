import Testing

@testable import OzTUI

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Display width")
struct DisplayWidthTests {
    @Test(
        arguments: [
            ("a", 1), (" ", 1), ("~", 1), ("é", 1), ("e\u{301}", 1), ("a\u{301}\u{302}\u{303}", 1), ("\u{301}", 0), ("\u{200B}", 0),
            ("\u{0}", 0), ("\u{1B}", 0), ("\u{7F}", 0), ("\u{9B}", 0), ("\r\n", 0), ("李", 2), ("한", 2), ("\u{1100}\u{1161}\u{11A8}", 2),
            ("ｱ", 1), ("Ａ", 2), ("　", 2), ("😀", 2), ("👍🏽", 2), ("👨‍👩‍👧‍👦", 2), ("🧑‍💻", 2), ("🏳️‍🌈", 2), ("🏴‍☠️", 2), ("🇫🇷", 2),
            ("🇫", 1), ("❤️", 2), ("❤", 1), ("☝🏽", 2), ("1️⃣", 2), ("#️⃣", 2), ("©️", 2), ("©", 1), ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 2), ("⌚", 2),
            ("a\u{FE0F}", 1), ("\u{1F3FB}", 2), ("कि", 2), ("\u{FE0F}", 0), ("🫨", 2), ("\u{AD}", 1),
        ] as [(Character, Int)])
    func grapheme(_ grapheme: Character, width: Int) {
        #expect(DisplayWidth.of(grapheme) == width)
    }

    @Test(arguments: [
        ("", 0), ("hello", 5), ("日本語", 6), ("a李b", 4), ("e\u{301}te\u{301}", 3), ("hi 👋🏼!", 6), ("🇯🇵🇰🇷", 4), ("\u{1B}[0m", 3),
    ])
    func string(_ text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }

    @Test(arguments: [
        ("hello", 3, "hel"), ("hello", 9, "hello"), ("hello", 0, ""), ("hello", -1, ""), ("日本語", 3, "日"), ("日本語", 4, "日本"),
        ("a日本", 2, "a"), ("e\u{301}e\u{301}", 1, "e\u{301}"), ("👨‍👩‍👧x", 2, "👨‍👩‍👧"), ("👨‍👩‍👧x", 1, ""), ("🇫🇷🇩🇪", 3, "🇫🇷"),
    ])
    func prefix(_ text: String, columns: Int, expected: String) {
        let prefix = DisplayWidth.prefix(text, fitting: columns)
        #expect(prefix == expected)
        #expect(DisplayWidth.of(prefix) <= max(0, columns))
    }

    @Test(arguments: [
        ("hello", 3, "llo"), ("hello", 9, "hello"), ("hello", 0, ""), ("日本語", 3, "語"), ("日本語", 4, "本語"), ("本a", 2, "a"),
        ("e\u{301}e\u{301}", 1, "e\u{301}"), ("x👍🏽", 3, "x👍🏽"), ("x👍🏽", 1, ""),
    ])
    func suffix(_ text: String, columns: Int, expected: String) {
        let suffix = DisplayWidth.suffix(text, fitting: columns)
        #expect(suffix == expected)
        #expect(DisplayWidth.of(suffix) <= max(0, columns))
    }

    #if canImport(Glibc)
        /// Every scalar, as a grapheme of its own, has glibc's width. The deliberate differences are all where glibc answers
        /// -1 ("not printable"), which is not a width: controls (C0, DEL, C1, U+2028, U+2029) count 0, and scalars that
        /// glibc 2.36 (Unicode 14) does not know get their newer Unicode width (see `scalarUnknownToGlibc`) or 1.
        @Test func agreesWithGlibcWcwidth() {
            var disagreements: [String] = []
            var compared = 0
            let checked: Void? = withGlibcWidth { wcwidth in
                #expect(wcwidth("李") == 2, "the C.UTF-8 locale is not in effect")
                for value in UInt32(0)...0x10FFFF {
                    guard let scalar = Unicode.Scalar(value) else { continue }
                    let ours = DisplayWidth.of(Character(scalar))
                    let theirs = wcwidth(scalar)
                    let expected = theirs >= 0 ? [theirs] : Self.isControl(scalar) ? [0] : [0, 1, 2]
                    if !expected.contains(ours) { disagreements.append("U+\(String(value, radix: 16, uppercase: true)): \(ours), glibc \(theirs)") }
                    if theirs >= 0 { compared += 1 }
                }
            }
            #expect(checked != nil, "glibc's wcwidth or the C.UTF-8 locale is missing")
            #expect(disagreements == [])
            #expect(compared > 280_000)  // Unicode 14's graphic characters and private use: glibc knows their width.
        }
    #endif

    /// Scalars that glibc 2.36 calls -1 (unknown to its Unicode 14) and that take the width newer Unicode gives them.
    @Test(
        arguments: [
            (0x1FAE8, 2),  // 🫨 shaking face, Unicode 15
            (0x1FA77, 2),  // 🩷 pink heart, Unicode 15
            (0x1F6DC, 2),  // 🛜 wireless, Unicode 15
            (0x31350, 2),  // CJK Unified Ideographs Extension H, Unicode 15
            (0x2EBF0, 2),  // CJK Unified Ideographs Extension I, Unicode 15.1
            (0x11F00, 0),  // Kawi sign candrabindu, a combining mark, Unicode 15
            (0x11F04, 1),  // Kawi letter A, Unicode 15
            (0x2028, 0), (0x2029, 0), (0x85, 0), (0x1B, 0),
        ] as [(UInt32, Int)])
    func scalarUnknownToGlibc(_ value: UInt32, width: Int) throws {
        let scalar = try #require(Unicode.Scalar(value))
        #expect(DisplayWidth.of(Character(scalar)) == width)
    }

    @Test func withoutLineBreaksOrControlsEveryGraphemeIsAtMostTwoColumns() {
        let sample = "Zoë 李 🇫🇷 👨‍👩‍👧 e\u{301}\u{302} क्षि 각 ❤️ 1️⃣ 👍🏿 🏳️‍⚧️"
        for grapheme in sample { #expect((0...2).contains(DisplayWidth.of(grapheme))) }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}

#if canImport(Glibc)
    /// Runs `body` with glibc's `wcwidth` in the C.UTF-8 locale, or returns nil if it is not available. The locale is set
    /// for the calling thread only (`uselocale`) and restored afterwards, leaving the rest of the process alone.
    private func withGlibcWidth<Result>(_ body: ((Unicode.Scalar) -> Int) -> Result) -> Result? {
        typealias Function = @convention(c) (wchar_t) -> Int32
        // `wcwidth` is not visible through the Glibc module (it needs _XOPEN_SOURCE), so look it up.
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "wcwidth"), let locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return nil }
        defer { freelocale(locale) }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        let wcwidth = unsafeBitCast(symbol, to: Function.self)
        return body { Int(wcwidth(wchar_t($0.value))) }
    }
#endif
