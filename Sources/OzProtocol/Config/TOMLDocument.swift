import Foundation

/// A value from the TOML subset ozgate and ozchat read: strings, integers, booleans, offset date-times and arrays of
/// those (no floats, multi-line strings, inline tables, dotted keys or local dates and times).
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    /// An offset date-time such as `2030-01-01T00:00:00Z`, already converted to an absolute instant.
    case dateTime(Date)
    /// `[a, b, …]`, on one line or several; elements may be of different types, as TOML 1.0 allows.
    case array([TOMLValue])

    /// The type's name as used in error messages, with its article ("a string", "an integer").
    public var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .dateTime: "a date-time"
        case .array: "an array"
        }
    }
}

/// One `key = value` pair and the 1-based line it was written on.
public struct TOMLEntry: Sendable, Equatable {
    public var key: String
    public var value: TOMLValue
    /// The line of the key; a multi-line array's later lines are not recorded.
    public var line: Int

    /// Memberwise initializer.
    public init(key: String, value: TOMLValue, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}

/// A table of the document: the implicit root, a `[name]` table or one element of a `[[name]]` array.
public struct TOMLTable: Sendable, Equatable {
    /// Which syntax introduced the table.
    public enum Kind: Sendable, Equatable { case root, table, arrayElement }

    /// The header's name; empty for the root table.
    public var name: String
    public var kind: Kind
    /// The 1-based line of the header (1 for the root table).
    public var line: Int
    /// The pairs in the order they were written; keys are unique within a table.
    public var entries: [TOMLEntry] = []

    /// Memberwise initializer.
    public init(name: String, kind: Kind, line: Int, entries: [TOMLEntry] = []) {
        self.name = name
        self.kind = kind
        self.line = line
        self.entries = entries
    }

    /// The entry for `key`, if present.
    public subscript(key: String) -> TOMLEntry? { entries.first { $0.key == key } }

    /// The header as written in the file (`[name]` or `[[name]]`), or "the top level" for the root.
    public var displayName: String {
        switch kind {
        case .root: "the top level"
        case .table: "[\(name)]"
        case .arrayElement: "[[\(name)]]"
        }
    }
}

/// A TOML syntax error: a 1-based line, the 1-based column (in Unicode scalars) when known, and a message.
public struct TOMLError: Error, Sendable, Equatable {
    public var line: Int
    public var column: Int?
    public var message: String

    /// Memberwise initializer.
    public init(line: Int, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }
}

/// A parsed document in file order: the root pairs, then every table and array-of-tables element.
public struct TOMLDocument: Sendable, Equatable {
    /// Pairs written before the first header.
    public var root: TOMLTable
    /// Every `[name]` table and every `[[name]]` element, in the order their headers appear.
    public var tables: [TOMLTable]

    /// Memberwise initializer.
    public init(root: TOMLTable, tables: [TOMLTable]) {
        self.root = root
        self.tables = tables
    }

    /// Parses `text` (LF or CRLF line endings, an optional leading byte-order mark), stopping at the first error.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLDocument {
        var builder = TOMLDocumentBuilder()
        var scanner = TOMLScanner(lines: try splitLines(text))
        while let item = try scanner.nextItem() {
            try builder.add(item)
        }
        return builder.document
    }

    /// Splits on LF, dropping the CR of a CRLF; a lone CR is an error, as TOML requires.
    private static func splitLines(_ text: String) throws(TOMLError) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = [[]]
        var pendingCR = false
        for scalar in text.unicodeScalars {
            if pendingCR && scalar != "\n" {
                throw TOMLError(line: lines.count, column: lines[lines.count - 1].count, message: "carriage return not followed by a line feed")
            }
            pendingCR = false
            if scalar == "\n" {
                if lines[lines.count - 1].last == "\r" { lines[lines.count - 1].removeLast() }
                lines.append([])
            } else {
                if scalar == "\r" { pendingCR = true }
                lines[lines.count - 1].append(scalar)
            }
        }
        if pendingCR {
            throw TOMLError(line: lines.count, column: lines[lines.count - 1].count, message: "carriage return not followed by a line feed")
        }
        if lines[0].first == "\u{FEFF}" { lines[0].removeFirst() }
        return lines
    }
}
