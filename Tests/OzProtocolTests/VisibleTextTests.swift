import OzProtocol
import Testing

@Suite("Sanitising untrusted text")
struct VisibleTextTests {
    @Test(arguments: [
        ("plain text", "plain text"), ("tab\there", "tab^Ihere"), ("\u{1B}[31mred", "^[[31mred"), ("bell\u{07}", "bell^G"),
        ("del\u{7F}", "del^?"), ("c1\u{9B}2J", "c1<U+009B>2J"), ("\u{202E}drow", "<U+202E>drow"), ("iso\u{2067}x\u{2069}", "iso<U+2067>x<U+2069>"),
        ("line\u{2028}sep", "line<U+2028>sep"), ("emoji 😀 李 e\u{301}", "emoji 😀 李 e\u{301}"), ("cr\rfake", "cr^Mfake"),
    ])
    func sanitises(input: String, expected: String) {
        #expect(VisibleText.sanitize(input) == expected)
    }

    @Test func nothingUnsafeSurvives() {
        let everything = String(String.UnicodeScalarView((0...0x30FF).compactMap(Unicode.Scalar.init)))
        #expect(!VisibleText.sanitize(everything).unicodeScalars.contains(where: VisibleText.isUnsafe))
    }
}
