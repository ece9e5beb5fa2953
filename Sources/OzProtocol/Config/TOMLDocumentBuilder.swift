import Foundation

/// What one line of the file holds.
enum TOMLLine: Sendable, Equatable {
    case empty
    case header(name: String, isArray: Bool, line: Int)
    case pair(TOMLEntry, column: Int)
}

/// Assembles lines into a document, rejecting duplicate keys and redefined or conflicting tables.
struct TOMLDocumentBuilder {
    private(set) var document = TOMLDocument(root: TOMLTable(name: "", kind: .root, line: 1), tables: [])
    private var inRoot = true
    /// Key → line of the table currently being filled.
    private var currentKeys: [String: Int] = [:]
    /// Root key → line, to catch a table that reuses a top-level key's name.
    private var rootKeys: [String: Int] = [:]
    /// Header name → (is an array of tables, line of its first header).
    private var headers: [String: (isArray: Bool, line: Int)] = [:]

    mutating func add(_ item: TOMLLine) throws(TOMLError) {
        switch item {
        case .empty:
            return
        case .pair(let entry, let column):
            if let first = currentKeys[entry.key] {
                throw TOMLError(line: entry.line, column: column, message: "duplicate key '\(entry.key)' (first defined on line \(first))")
            }
            currentKeys[entry.key] = entry.line
            if inRoot {
                rootKeys[entry.key] = entry.line
                document.root.entries.append(entry)
            } else {
                document.tables[document.tables.count - 1].entries.append(entry)
            }
        case .header(let name, let isArray, let line):
            try checkHeader(name: name, isArray: isArray, line: line)
            headers[name] = headers[name] ?? (isArray, line)
            inRoot = false
            currentKeys = [:]
            document.tables.append(TOMLTable(name: name, kind: isArray ? .arrayElement : .table, line: line))
        }
    }

    private func checkHeader(name: String, isArray: Bool, line: Int) throws(TOMLError) {
        let written = isArray ? "[[\(name)]]" : "[\(name)]"
        if let keyLine = rootKeys[name] {
            throw TOMLError(line: line, column: 1, message: "table \(written) conflicts with the key '\(name)' defined on line \(keyLine)")
        }
        guard let previous = headers[name] else { return }
        if previous.isArray != isArray {
            let other = previous.isArray ? "an array of tables [[\(name)]]" : "a table [\(name)]"
            throw TOMLError(line: line, column: 1, message: "\(written) conflicts with \(other) defined on line \(previous.line)")
        }
        if !isArray {
            throw TOMLError(line: line, column: 1, message: "table \(written) is already defined on line \(previous.line)")
        }
    }
}
