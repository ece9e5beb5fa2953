import Testing

@testable import OzTUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The parts of the ncurses terminal that need no tty: decoding `wget_wch` results and cutting graphemes into cells.
/// Key codes are the X/Open curses values (KEY_LEFT is 0o404, …), `OK` is 0 and `KEY_CODE_YES` is 0o400.
@Suite struct NcursesTerminalTests {
    private static let ok: Int32 = 0
    private static let keyCode: Int32 = 0o400

    private func character(_ value: UInt32) -> Key? {
        NcursesTerminal.decode(status: Self.ok, value: value)
    }

    private func keyCode(_ code: UInt32) -> Key? {
        NcursesTerminal.decode(status: Self.keyCode, value: code)
    }

    @Test func timeoutIsNoKey() {
        #expect(NcursesTerminal.decode(status: -1, value: 0) == nil)
    }

    @Test func functionKeysByCode() {
        let expected: [(UInt32, Key)] = [
            (0o404, .left), (0o405, .right), (0o403, .up), (0o402, .down), (0o406, .home), (0o550, .end),
            (0o523, .pageUp), (0o522, .pageDown), (0o512, .delete), (0o407, .backspace), (0o527, .enter),
            (0o541, .backTab), (0o632, .resize), (0o411, .function(1)), (0o420, .function(8)), (0o424, .function(12)),
            (0o552, .home), (0o601, .end),
        ]
        for (code, key) in expected {
            #expect(keyCode(code) == key, "code \(String(code, radix: 8))")
        }
    }

    @Test func unknownKeyCodesAreNil() {
        #expect(keyCode(0o425) == nil)  // F13
        #expect(keyCode(0o631) == nil)  // KEY_MOUSE
        #expect(keyCode(0o1000) == nil)  // an extended key (Ctrl-Right in some terminfo entries)
    }

    @Test func controlCharacters() {
        #expect(character(9) == .tab)
        #expect(character(10) == .enter)
        #expect(character(13) == .enter)
        #expect(character(8) == .backspace)
        #expect(character(127) == .backspace)
        #expect(character(27) == .escape)
        #expect(character(1) == .control("a"))
        #expect(character(3) == .control("c"))
        #expect(character(19) == .control("s"))
        #expect(character(26) == .control("z"))
        #expect(character(0) == nil)
        #expect(character(28) == nil)
        #expect(character(0x85) == nil)
    }

    @Test func printableCharacters() {
        #expect(character(0x61) == .text("a"))
        #expect(character(0x20) == .text(" "))
        #expect(character(0x4F60) == .text("你"))
        #expect(character(0x1F600) == .text("😀"))
        #expect(character(0x301) == .text("\u{301}"))
        #expect(character(0xD800) == nil)
        #expect(character(0x110000) == nil)
    }

    @Test func graphemeCells() throws {
        NcursesTerminal.useUTF8Locale()
        let cases: [(Character, [UInt32], Int)] = [
            ("a", [0x61], 1),
            ("你", [0x4F60], 2),
            ("e\u{301}", [0x65, 0x301], 1),
            ("😀", [0x1F600], 2),
            ("👨‍👩‍👧", [0x1F468], 2),
            ("❤️", [0x2764], 1),
        ]
        for (grapheme, scalars, width) in cases {
            let cell = try #require(GraphemeCell(grapheme))
            #expect(cell.characters.map { UInt32(bitPattern: $0) } == scalars + [0], "\(grapheme)")
            #expect(cell.width == width, "\(grapheme)")
        }
        #expect(GraphemeCell("\u{301}") == nil)
        #expect(GraphemeCell("\u{7}")?.characters.first == 0xFFFD)
    }
}
