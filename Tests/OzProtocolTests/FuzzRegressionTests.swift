import Testing

@testable import OzProtocol

/// Inputs found by the libFuzzer targets in fuzz/ (minimised), kept so the bugs they showed stay fixed.
@Suite("Fuzz regressions (OzProtocol)")
struct FuzzRegressionTests {
    /// server_address: the minimised input was the three bytes E2 84 AA, U+212A KELVIN SIGN. Unicode lowercasing maps it
    /// to ASCII "k", so it used to be accepted as the host "k" although host names must be ASCII (punycode).
    @Test(arguments: [
        ("\u{212A}", "\u{212A}"),
        ("1.\u{212A}Fzszzzzz0", "1.\u{212A}fzszzzzz0"),  // the fuzzer's first crashing input
        ("ws://\u{212A}.example:80/", "\u{212A}.example"),
        ("EX\u{212A}AMPLE.COM", "ex\u{212A}ample.com"),
    ])
    func kelvinSignIsNotTheLetterK(input: String, host: String) {
        #expect(throws: ServerAddressError.invalidHostCharacter("\u{212A}", host: host)) { try ServerAddress(parsing: input) }
    }

    /// The same mistake through the checked memberwise initializer, which shares the host check.
    @Test func kelvinSignIsNotTheLetterKAsAHostOnItsOwn() throws {
        #expect(throws: ServerAddressError.invalidHostCharacter("\u{212A}", host: "ex\u{212A}ample.com")) {
            try ServerAddress(host: "EX\u{212A}AMPLE.COM")
        }
        #expect(try ServerAddress(host: "EXAMPLE.COM").host == "example.com")
    }
}
