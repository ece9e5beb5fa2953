import Foundation
import OzProtocol
import Testing

/// A text the TOML reader must reject, with the line and a fragment the message must contain.
struct TOMLErrorCase: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var fragment: String
    var testDescription: String { fragment }

    init(_ text: String, line: Int, _ fragment: String) {
        self.text = text
        self.line = line
        self.fragment = fragment
    }
}

/// 2030-01-01T00:00:00Z
private let y2030 = Date(timeIntervalSince1970: 1_893_456_000)

@Suite struct TOMLDocumentTests {
    @Test func structureKeepsOrderKindsAndLines() throws {
        let document = try TOMLDocument.parse("a = 1\nb = -2\n\n[t]\nx = true\n[[arr]]\ny = false\n[[arr]]\n")
        #expect(document.root.entries == [TOMLEntry(key: "a", value: .integer(1), line: 1), TOMLEntry(key: "b", value: .integer(-2), line: 2)])
        #expect(document.tables.map(\.name) == ["t", "arr", "arr"])
        #expect(document.tables.map(\.kind) == [.table, .arrayElement, .arrayElement])
        #expect(document.tables.map(\.line) == [4, 6, 8])
        #expect(document.tables[0]["x"] == TOMLEntry(key: "x", value: .boolean(true), line: 5))
        #expect(document.tables[2].entries.isEmpty)
    }

    @Test(arguments: [("0", 0), ("+17", 17), ("-0", 0), ("1_000", 1000), ("-9_223_372_036_854_775_808", Int.min)])
    func integers(written: String, value: Int) throws {
        #expect(try TOMLDocument.parse("v = \(written)").root["v"]?.value == .integer(value))
    }

    @Test(arguments: [
        TOMLErrorCase("v = 1__0", line: 1, "underscores"),
        TOMLErrorCase("v = 10_", line: 1, "underscores"),
        TOMLErrorCase("v = _10", line: 1, "must be quoted"),
        TOMLErrorCase("v = 0x1F", line: 1, "hexadecimal"),
        TOMLErrorCase("v = 9223372036854775808", line: 1, "out of range"),
        TOMLErrorCase("[a]\n[a]", line: 2, "already defined on line 1"),
        TOMLErrorCase("[[a]]\n[a]", line: 2, "conflicts with an array of tables [[a]] defined on line 1"),
        TOMLErrorCase("[a]\n[[a]]", line: 2, "conflicts with a table [a]"),
        TOMLErrorCase("a = 1\n[a]", line: 2, "conflicts with the key 'a'"),
        TOMLErrorCase("[t]\nk = 1\n[[u]]\nk = 1\nk = 2", line: 5, "duplicate key 'k' (first defined on line 4)"),
        TOMLErrorCase("v = 07:30:00", line: 1, "local times are not supported"),
        TOMLErrorCase("v = 2030-01-01", line: 1, "a time and a UTC offset are required"),
    ])
    func syntaxErrors(_ c: TOMLErrorCase) {
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.parse(c.text) }
        #expect(error?.line == c.line)
        #expect(error?.message.contains(c.fragment) == true, "\(String(describing: error))")
    }

    @Test func errorsCarryColumns() {
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.parse("k = \"ab\\qc\"") }
        #expect(error?.column == 8)
        let unterminated = #expect(throws: TOMLError.self) { try TOMLDocument.parse("\n  k = 'abc") }
        #expect(unterminated == TOMLError(line: 2, column: 7, message: "unterminated string"))
    }

    @Test func arraysOnOneLine() throws {
        let document = try TOMLDocument.parse("h = [\"deploy\", 'ozchat']\ne = []\nt = [ 1 , true, ]  # note\nn = [[1], [\"a\", []]]")
        #expect(document.root["h"] == TOMLEntry(key: "h", value: .array([.string("deploy"), .string("ozchat")]), line: 1))
        #expect(document.root["e"]?.value == .array([]))
        #expect(document.root["t"]?.value == .array([.integer(1), .boolean(true)]))
        #expect(document.root["n"]?.value == .array([.array([.integer(1)]), .array([.string("a"), .array([])])]))
        #expect(
            try TOMLDocument.parse("d = [2030-01-01 00:00:00Z,2030-01-01T00:00:00Z]").root["d"]?.value
                == .array([.dateTime(y2030), .dateTime(y2030)]))
    }

    @Test func multiLineArraysCountAsTheirKeysLine() throws {
        let text = "[[room]]\nname = \"a\"\nservers = [\n  \"a:1\",  # first\n\n  \"b:2\"\n]\nautojoin = true\n[[room]]\n"
        let document = try TOMLDocument.parse(text)
        #expect(document.tables.map(\.line) == [1, 9])
        #expect(document.tables[0]["servers"] == TOMLEntry(key: "servers", value: .array([.string("a:1"), .string("b:2")]), line: 3))
        #expect(document.tables[0]["autojoin"]?.line == 8)
    }

    @Test(arguments: [
        ("v = [1, 2", 1, 5, "unterminated array"),
        ("x = 1\nv = [\n  1,\n  # only a comment\n", 2, 5, "unterminated array"),
        ("v = [1 2]", 1, 8, "expected ',' or ']' after an array element"),
        ("v = [,]", 1, 6, "expected a value or ']' in the array"),
        ("v = [1,,2]", 1, 8, "expected a value or ']' in the array"),
        ("v = [\n  1,\n  \"a\" \"b\"\n]", 3, 7, "expected ',' or ']' after an array element"),
        ("v = [\n  'x', {a = 1}]", 2, 8, "inline tables are not supported"),
        ("v = [\n  1.5]", 2, 3, "floating-point numbers are not supported"),
        ("v = [1] 2", 1, 9, "unexpected text after the value; use '#' to start a comment"),
        ("v = [\n 1 # bell \u{7}\n]", 2, 11, "control character U+0007 is not allowed in a comment"),
        ("v = " + String(repeating: "[", count: 40), 1, 37, "arrays nested more than 32 deep are not supported"),
    ])
    func arrayErrors(text: String, line: Int, column: Int, message: String) {
        let error = #expect(throws: TOMLError.self) { try TOMLDocument.parse(text) }
        #expect(error == TOMLError(line: line, column: column, message: message))
    }

    @Test func arraysOfTablesKeepTheirHeaderLines() throws {
        let document = try TOMLDocument.parse("nick = \"x\"\n\n[[room]]\nname = \"a\"\n\n# two\n[[room]]\nname = \"b\"\n")
        #expect(document.tables.map(\.displayName) == ["[[room]]", "[[room]]"])
        #expect(document.tables.map(\.line) == [3, 7])
        #expect(document.tables.map { $0["name"]?.line } == [4, 8])
    }
}
