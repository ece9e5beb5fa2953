import Foundation
import OzProtocol
import Testing

@testable import OzGateway

/// A config text that must be rejected, with the line (nil: none) and a fragment the message must contain.
struct ConfigErrorCase: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int?
    var fragment: String
    var testDescription: String { fragment }

    init(_ text: String, line: Int?, _ fragment: String) {
        self.text = text
        self.line = line
        self.fragment = fragment
    }
}

private let lineHeader = "[[line]]\nname = \"lobby\"\ntoken = \"t\"\n"  // lines 1-3

private func parse(_ text: String) throws(ConfigError) -> GatewayConfigFile {
    try GatewayConfigFile.parse(text, file: "gate.toml")
}

private func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

/// 2030-01-01T00:00:00Z
private let y2030 = date(1_893_456_000)

private func temporaryFile(_ bytes: [UInt8]) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ozgate-config-\(UUID().uuidString).toml")
    try Data(bytes).write(to: url)
    return url.path
}

@Suite struct ConfigFileValidTests {
    /// `web = false` before the tables turns the web chatroom off; without the key it is left to the command line.
    @Test func theWebKey() throws {
        #expect(try parse(lineHeader).web == nil)
        #expect(try parse("web = false\n" + lineHeader).web == false)
        #expect(try parse("web = true # the default\n\n" + lineHeader).web == true)
    }

    @Test func theDocumentedExample() throws {
        let text = """
            [[line]]
            name = "lobby"
            token = "lobby-token-1"
            expires = "2030-01-01T00:00:00Z"
            [[extension]]
            number = "1500"
            password = "12345678"
            line = "lobby"
            """
        let config = try parse(text)
        #expect(
            config
                == GatewayConfigFile(
                    lines: [LineEntry(name: "lobby", token: .plain("lobby-token-1"), expires: y2030, line: 1)],
                    extensions: [ExtensionEntry(number: "1500", password: .plain("12345678"), lineName: "lobby", line: 5)]
                ))
    }

    @Test func commentsBlankLinesAndWhitespaceEverywhere() throws {
        let text = """
            # ozgate config
              \t
            [[line]]   # the lobby
            \tname  =  "lobby"   # a comment right after a value
            token="with # inside"#no space before the comment
            expires = 2030-01-01T00:00:00Z # unquoted date-time

            # a comment between tables
             [[ extension ]] # spaces inside the brackets
            number = 1500 # integer form
            password_hash = 'scrypt$abc'   # literal string
            line = "lobby"
            # trailing comment without newline
            """
        let config = try parse(text)
        #expect(config.lines == [LineEntry(name: "lobby", token: .plain("with # inside"), expires: y2030, line: 3)])
        #expect(config.extensions == [ExtensionEntry(number: "1500", password: .hashed("scrypt$abc"), lineName: "lobby", line: 9)])
    }

    @Test func hashedSecretsAndNoExpiry() throws {
        let text = """
            [[line]]
            name = "a.b-c_D9"
            token_hash = "sha256:00ff"
            [[extension]]
            password_hash = "h"
            line = "a.b-c_D9"
            number = "Ab12"
            """
        let config = try parse(text)
        #expect(config.lines == [LineEntry(name: "a.b-c_D9", token: .hashed("sha256:00ff"), expires: nil, line: 1)])
        #expect(config.extensions == [ExtensionEntry(number: "Ab12", password: .hashed("h"), lineName: "a.b-c_D9", line: 4)])
    }

    @Test(arguments: [
        ("2030-01-01T00:00:00Z", 1_893_456_000.0),
        ("\"2030-01-01T00:00:00Z\"", 1_893_456_000.0),
        ("2030-01-01T01:00:00+01:00", 1_893_456_000.0),
        ("'2029-12-31T18:30:00-05:30'", 1_893_456_000.0),
        ("2030-01-01t00:00:00.25z", 1_893_456_000.25),
        ("2030-01-01 00:00:00Z", 1_893_456_000.0),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        ("1969-12-31T23:59:59.5Z", -0.5),
    ])
    func expiresForms(written: String, seconds: Double) throws {
        let config = try parse(lineHeader + "expires = \(written)\n")
        let expires = try #require(config.lines.first?.expires)
        #expect(abs(expires.timeIntervalSince1970 - seconds) < 0.000_1)
    }

    @Test func escapesAndUnicodeInStrings() throws {
        let text = #"""
            [[line]]
            name = "lobby"
            token = "q\" b\\ n\n t\t r\r b\b f\f é\u00E9 😀\U0001F600 日本"
            [[extension]]
            "number" = "1"
            'password' = 'C:\path\n "quoted" ☃'
            line = "lobby"
            """#
        let config = try parse(text)
        #expect(config.lines[0].token == .plain("q\" b\\ n\n t\t r\r b\u{08} f\u{0C} éé 😀😀 日本"))
        #expect(config.extensions[0].password == .plain(#"C:\path\n "quoted" ☃"#))
    }

    @Test func crlfLineEndings() throws {
        let text =
            "# comment\r\n[[line]]\r\nname = \"lobby\"\r\ntoken = \"t\" # c\r\n\r\n[[extension]]\r\n"
            + "number = \"7\"\r\npassword = \"p\"\r\nline = \"lobby\"\r\n"
        let config = try parse(text)
        #expect(config.lines == [LineEntry(name: "lobby", token: .plain("t"), expires: nil, line: 2)])
        #expect(config.extensions == [ExtensionEntry(number: "7", password: .plain("p"), lineName: "lobby", line: 6)])
        let error = #expect(throws: ConfigError.self) { try parse("[[line]]\r\nname = \"a\"\r\nbad = 1\r\ntoken = \"t\"\r\n") }
        #expect(error?.line == 3)
    }

    @Test func manyLinesAndExtensionsKeepFileOrderAndMayReferToLaterLines() throws {
        let text = """
            [[extension]]
            number = "1"
            password = "p"
            line = "b"
            [[line]]
            name = "a"
            token = "ta"
            [[line]]
            name = "b"
            token = "tb"
            [[extension]]
            number = "2"
            password = "p"
            line = "a"
            """
        let config = try parse(text)
        #expect(config.lines.map(\.name) == ["a", "b"])
        #expect(config.lines.map(\.line) == [5, 8])
        #expect(config.extensions.map(\.number) == ["1", "2"])
        #expect(config.extensions.map(\.lineName) == ["b", "a"])
    }

    @Test func limitsAtTheirEdgesAreAccepted() throws {
        let name = String(repeating: "n", count: 64)
        let token = String(repeating: "é", count: 256)
        let number = String(repeating: "9", count: 32)
        let text = "[[line]]\nname = \"\(name)\"\ntoken = \"\(token)\"\n[[extension]]\nnumber = \"\(number)\"\npassword = \"x\"\nline = \"\(name)\"\n"
        let config = try parse(text)
        #expect(config.lines[0].name == name)
        #expect(config.extensions[0].number == number)
    }

    @Test func byteOrderMarkIsIgnored() throws {
        #expect(try parse("\u{FEFF}" + lineHeader).lines.count == 1)
    }

    @Test func loadReadsAFile() throws {
        let path = try temporaryFile(Array(lineHeader.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try GatewayConfigFile.load(path: path).lines.map(\.name) == ["lobby"])
    }

    @Test func errorDescriptions() {
        #expect(ConfigError(file: "a.toml", line: 3, message: "bad").description == "a.toml:3: bad")
        #expect(ConfigError(file: "a.toml", line: nil, message: "bad").description == "a.toml: bad")
    }
}

@Suite struct ConfigFileErrorTests {
    static let syntaxCases: [ConfigErrorCase] = [
        ConfigErrorCase("[[line]]\nname.x = \"a\"", line: 2, "dotted keys are not supported"),
        ConfigErrorCase("[[line.x]]", line: 1, "dotted table names are not supported"),
        ConfigErrorCase("[line]]", line: 1, "unexpected text"),
        ConfigErrorCase("[[line]\nname = \"a\"", line: 1, "expected ']]'"),
        ConfigErrorCase("[]", line: 1, "missing table name"),
        ConfigErrorCase(lineHeader + "expires = \"\\q\"", line: 4, "invalid escape sequence '\\q' (column 12)"),
        ConfigErrorCase(lineHeader + "expires = \"\\x41\"", line: 4, "invalid escape sequence '\\x'"),
        ConfigErrorCase(lineHeader + "expires = \"\\uD800\"", line: 4, "not a Unicode scalar value"),
        ConfigErrorCase(lineHeader + "expires = \"\\U00110000\"", line: 4, "not a Unicode scalar value"),
        ConfigErrorCase(lineHeader + "expires = \"\\u12\"", line: 4, "needs 4 hex digits"),
        ConfigErrorCase(lineHeader + "expires = \"\\U1234567\"", line: 4, "needs 8 hex digits"),
        ConfigErrorCase("[[line]]\nname = \"lobby", line: 2, "unterminated string (column 8)"),
        ConfigErrorCase("[[line]]\nname = 'lo\tbby\u{7}'", line: 2, "control character U+0007"),
        ConfigErrorCase("[[line]]\nname = \"\"\"lobby\"\"\"", line: 2, "multi-line strings are not supported"),
        ConfigErrorCase("[[line]]\nname = '''lobby'''", line: 2, "multi-line strings are not supported"),
        ConfigErrorCase("[[line]]\nname = { a = 1 }", line: 2, "inline tables are not supported"),
        ConfigErrorCase("[[line]]\nname = 1.5", line: 2, "floating-point numbers are not supported"),
        ConfigErrorCase("[[line]]\nname = lobby", line: 2, "strings must be quoted"),
        ConfigErrorCase("[[line]]\nname =   # nothing", line: 2, "missing value"),
        ConfigErrorCase("[[line]]\nname \"lobby\"", line: 2, "expected '=' after the key 'name'"),
        ConfigErrorCase("[[line]]\nname = \"a\" \"b\"", line: 2, "unexpected text after the value"),
        ConfigErrorCase("[[line]]\n= \"a\"", line: 2, "expected a key"),
        ConfigErrorCase("[[line]]\nname = \"a\"\nname = \"b\"", line: 3, "duplicate key 'name' (first defined on line 2)"),
        ConfigErrorCase("[[extension]]\nnumber = 0015", line: 2, "leading zeros"),
        ConfigErrorCase(lineHeader + "expires = 2030-01-01T00:00:00", line: 4, "a UTC offset is required"),
        ConfigErrorCase(lineHeader + "expires = 2030-02-29T00:00:00Z", line: 4, "day 29 is out of range for 2030-02"),
        ConfigErrorCase(lineHeader + "expires = 2030-13-01T00:00:00Z", line: 4, "month 13 is out of range"),
        ConfigErrorCase(lineHeader + "expires = 2030-01-01T24:00:00Z", line: 4, "time of day out of range"),
        ConfigErrorCase(lineHeader + "expires = 2030-01-01T00:00:00+25:00", line: 4, "UTC offset out of range"),
        ConfigErrorCase(lineHeader + "expires = 2030-01-01T00:00:00.Z", line: 4, "digits after the decimal point"),
        ConfigErrorCase("[[line]]\r\nname = \"a\"\rtoken = \"t\"", line: 2, "carriage return not followed by a line feed"),
        ConfigErrorCase("[[line]] # bell \u{7}", line: 1, "not allowed in a comment"),
    ]

    static let schemaCases: [ConfigErrorCase] = [
        ConfigErrorCase("port = 8080\n" + lineHeader, line: 1, "unknown top-level key 'port'; the only one is 'web'"),
        ConfigErrorCase("web = \"off\"\n" + lineHeader, line: 1, "'web' must be true or false, not a string"),
        ConfigErrorCase("web = 0\n" + lineHeader, line: 1, "'web' must be true or false, not an integer"),
        ConfigErrorCase(lineHeader + "[server]\nport = 1", line: 4, "unknown table [server]; allowed tables: [[line]], [[extension]]"),
        ConfigErrorCase(lineHeader + "[[room]]", line: 4, "unknown table [[room]]"),
        ConfigErrorCase("[line]\nname = \"a\"\ntoken = \"t\"", line: 1, "[line] must be written as an array of tables: [[line]]"),
        ConfigErrorCase(
            lineHeader + "colour = \"red\"", line: 4,
            "unknown key 'colour' in [[line]]; allowed keys: name, token, token_hash, expires"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = \"1\"\npassword = \"p\"\nline = \"lobby\"\nnick = \"x\"", line: 8,
            "unknown key 'nick' in [[extension]]; allowed keys: number, password, password_hash, line"),
        ConfigErrorCase("[[line]]\ntoken = \"t\"", line: 1, "[[line]] is missing the required key 'name'"),
        ConfigErrorCase("[[line]]\nname = \"a\"", line: 1, "[[line]] needs either 'token' or 'token_hash'"),
        ConfigErrorCase(lineHeader + "token_hash = \"h\"", line: 4, "[[line]] has both 'token' and 'token_hash'"),
        ConfigErrorCase("[[line]]\nname = 5\ntoken = \"t\"", line: 2, "'name' in [[line]] must be a string, not an integer"),
        ConfigErrorCase("[[line]]\nname = \"a\"\ntoken = true", line: 3, "'token' in [[line]] must be a string, not a boolean"),
        ConfigErrorCase("[[line]]\nname = [\"a\"]", line: 2, "'name' in [[line]] must be a string, not an array"),
        ConfigErrorCase("[[line]]\nname = \"a\"\ntoken_hash = 2030-01-01T00:00:00Z", line: 3, "must be a string, not a date-time"),
        ConfigErrorCase(lineHeader + "expires = 5", line: 4, "'expires' in [[line]] must be a date-time"),
        ConfigErrorCase(lineHeader + "expires = \"tomorrow\"", line: 4, "'expires' is not a valid RFC 3339 date-time"),
        ConfigErrorCase(lineHeader + "expires = \"2030-01-01T00:00:00\"", line: 4, "a UTC offset is required"),
        ConfigErrorCase("[[line]]\nname = \"\"\ntoken = \"t\"", line: 2, "invalid line name ''"),
        ConfigErrorCase("[[line]]\nname = \"lob by\"\ntoken = \"t\"", line: 2, "invalid line name 'lob by': use 1-64 letters"),
        ConfigErrorCase("[[line]]\nname = \"café\"\ntoken = \"t\"", line: 2, "invalid line name"),
        ConfigErrorCase("[[line]]\nname = \"\(String(repeating: "a", count: 65))\"\ntoken = \"t\"", line: 2, "invalid line name"),
        ConfigErrorCase(lineHeader + "\n[[line]]\nname = \"lobby\"\ntoken = \"u\"", line: 6, "duplicate line name 'lobby' (first defined on line 2)"),
        ConfigErrorCase("[[line]]\nname = \"a\"\ntoken = \"\"", line: 3, "'token' must not be empty"),
        ConfigErrorCase(
            "[[line]]\nname = \"a\"\ntoken = \"\(String(repeating: "x", count: 257))\"", line: 3,
            "'token' is 257 characters long; the limit is 256"),
        ConfigErrorCase("[[line]]\nname = \"a\"\ntoken_hash = ''", line: 3, "'token_hash' must not be empty"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\npassword = \"p\"\nline = \"lobby\"", line: 4,
            "[[extension]] is missing the required key 'number'"),
        ConfigErrorCase(lineHeader + "[[extension]]\nnumber = 1\npassword = \"p\"", line: 4, "[[extension]] is missing the required key 'line'"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = 1\nline = \"lobby\"", line: 4,
            "[[extension]] needs either 'password' or 'password_hash'"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = 1\npassword_hash = \"h\"\npassword = \"p\"\nline = \"lobby\"", line: 7,
            "[[extension]] has both 'password' and 'password_hash'"),
        ConfigErrorCase(lineHeader + "[[extension]]\nnumber = 1\npassword = \"\"\nline = \"lobby\"", line: 6, "'password' must not be empty"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = 1\npassword_hash = \"\"\nline = \"lobby\"", line: 6,
            "'password_hash' must not be empty"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = true\npassword = \"p\"\nline = \"lobby\"", line: 5,
            "'number' in [[extension]] must be a string or an integer, not a boolean"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = 1\npassword = 7\nline = \"lobby\"", line: 6,
            "'password' in [[extension]] must be a string, not an integer"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = 1\npassword = \"p\"\nline = 1", line: 7,
            "'line' in [[extension]] must be a string, not an integer"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = \"15-00\"\npassword = \"p\"\nline = \"lobby\"", line: 5,
            "invalid extension number '15-00': use 1-32 letters or digits"),
        ConfigErrorCase(lineHeader + "[[extension]]\nnumber = -5\npassword = \"p\"\nline = \"lobby\"", line: 5, "invalid extension number '-5'"),
        ConfigErrorCase(lineHeader + "[[extension]]\nnumber = \"\"\npassword = \"p\"\nline = \"lobby\"", line: 5, "invalid extension number ''"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = \"\(String(repeating: "1", count: 33))\"\npassword = \"p\"\nline = \"lobby\"",
            line: 5, "invalid extension number"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = \"1500\"\npassword = \"p\"\nline = \"lobby\"\n"
                + "[[extension]]\nnumber = 1500\npassword = \"q\"\nline = \"lobby\"", line: 9,
            "duplicate extension number '1500' (first defined on line 5)"),
        ConfigErrorCase(
            lineHeader + "[[extension]]\nnumber = 1\npassword = \"p\"\nline = \"lobbby\"", line: 7,
            "extension '1' refers to the line 'lobbby', which is not defined"),
        ConfigErrorCase("[[extension]]\nnumber = 1\npassword = \"p\"\nline = \"lobby\"", line: nil, "no [[line]] tables"),
        ConfigErrorCase("", line: nil, "at least one line must be defined"),
        ConfigErrorCase("# only a comment\n\n", line: nil, "at least one line must be defined"),
    ]

    @Test(arguments: syntaxCases + schemaCases)
    func rejected(_ c: ConfigErrorCase) {
        let error = #expect(throws: ConfigError.self) { try parse(c.text) }
        #expect(error?.file == "gate.toml")
        #expect(error?.line == c.line)
        #expect(error?.message.contains(c.fragment) == true, "\(String(describing: error))")
        let prefix = c.line.map { "gate.toml:\($0): " } ?? "gate.toml: "
        #expect(error?.description.hasPrefix(prefix) == true)
    }

    @Test func missingFile() {
        let path = "/nonexistent-\(UUID().uuidString)/gate.toml"
        let error = #expect(throws: ConfigError.self) { try GatewayConfigFile.load(path: path) }
        #expect(error == ConfigError(file: path, line: nil, message: "no such file"))
        #expect(error?.description == "\(path): no such file")
    }

    @Test func directoryInsteadOfFile() {
        let path = FileManager.default.temporaryDirectory.path
        let error = #expect(throws: ConfigError.self) { try GatewayConfigFile.load(path: path) }
        #expect(error?.file == path)
        #expect(error?.message.contains("directory") == true)
    }

    @Test func invalidUTF8() throws {
        let path = try temporaryFile(Array("[[line]]\nname = \"lo".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ConfigError.self) { try GatewayConfigFile.load(path: path) }
        #expect(error == ConfigError(file: path, line: nil, message: "the file is not valid UTF-8"))
    }

    @Test func loadReportsErrorsWithThePath() throws {
        let path = try temporaryFile(Array((lineHeader + "bogus = 1\n").utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ConfigError.self) { try GatewayConfigFile.load(path: path) }
        #expect(error?.description.hasPrefix("\(path):4: unknown key 'bogus'") == true)
    }
}

@Suite struct ConfigFileClusterTests {
    @Test func aClusterTableNamesThePostgresURLAndTheNode() throws {
        let file = try parse("[[line]]\nname = \"a\"\ntoken = \"t\"\n[cluster]\nurl = \"postgres://oz@db:5432/chat\"\nnode_id = \"n1\"\n")
        #expect(file.cluster?.url == "postgres://oz@db:5432/chat")
        #expect(file.cluster?.nodeID == "n1")
        #expect(try parse("[[line]]\nname = \"a\"\ntoken = \"t\"\n").cluster == nil)
    }

    @Test func aClusterWithAHistoryStoreOrUnknownKeysIsAnError() {
        let store = #expect(throws: ConfigError.self) {
            try parse("[[line]]\nname = \"a\"\ntoken = \"t\"\n[history]\nstore = \"memory\"\n[cluster]\nurl = \"postgres://oz@db/chat\"\n")
        }
        #expect(store?.message.contains("remove 'store' from [history]") == true)
        #expect(store?.line == 4)
        let unknown = #expect(throws: ConfigError.self) { try parse("[[line]]\nname = \"a\"\ntoken = \"t\"\n[cluster]\nhost = \"db\"\n") }
        #expect(unknown?.message.contains("host") == true, "\(String(describing: unknown))")
        let missing = #expect(throws: ConfigError.self) { try parse("[[line]]\nname = \"a\"\ntoken = \"t\"\n[cluster]\nnode_id = \"x\"\n") }
        #expect(missing?.message.contains("'url'") == true, "\(String(describing: missing))")
    }
}
