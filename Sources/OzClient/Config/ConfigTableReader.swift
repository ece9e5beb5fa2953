import OzProtocol

/// Typed access to one table's keys, after rejecting keys outside the allowed set (a typo must not pass silently).
/// Type errors point at the value's line and say what was expected.
struct ConfigTableReader {
    let table: TOMLTable
    let schema: ClientConfigSchema

    init(_ table: TOMLTable, allowed: [String], schema: ClientConfigSchema) throws(ConfigError) {
        for entry in table.entries where !allowed.contains(entry.key) {
            let place = table.kind == .root ? "top-level key" : "key"
            let within = table.kind == .root ? "" : " in \(table.displayName)"
            throw schema.fail(entry.line, "unknown \(place) '\(entry.key)'\(within); allowed keys: \(allowed.joined(separator: ", "))")
        }
        self.table = table
        self.schema = schema
    }

    /// `'key'`, and for a key of a table other than the root, the table: `'name' in [[room]]`.
    private func named(_ key: String) -> String {
        table.kind == .root ? "'\(key)'" : "'\(key)' in \(table.displayName)"
    }

    private func wrongType(_ entry: TOMLEntry, expected: String) -> ConfigError {
        schema.fail(entry.line, "\(named(entry.key)) must be \(expected), not \(entry.value.typeDescription)")
    }

    func requiredString(_ key: String) throws(ConfigError) -> (text: String, line: Int) {
        guard let found = try string(key) else {
            throw schema.fail(table.line, "\(table.displayName) is missing the required key '\(key)'")
        }
        return found
    }

    /// An optional string key.
    func string(_ key: String) throws(ConfigError) -> (text: String, line: Int)? {
        guard let entry = table[key] else { return nil }
        guard case .string(let text) = entry.value else { throw wrongType(entry, expected: "a string") }
        return (text, entry.line)
    }

    /// An optional string key that, when present, must not be empty.
    func nonEmptyString(_ key: String) throws(ConfigError) -> String? {
        guard let (text, line) = try string(key) else { return nil }
        if text.isEmpty { throw schema.fail(line, "\(named(key)) must not be empty") }
        return text
    }

    /// An optional integer key within `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let entry = table[key] else { return nil }
        guard case .integer(let value) = entry.value else { throw wrongType(entry, expected: "an integer") }
        guard range.contains(value) else {
            throw schema.fail(entry.line, "\(named(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    /// An optional boolean key.
    func boolean(_ key: String) throws(ConfigError) -> Bool? {
        guard let entry = table[key] else { return nil }
        guard case .boolean(let value) = entry.value else { throw wrongType(entry, expected: "true or false") }
        return value
    }

    /// An optional array of non-empty strings; each element carries the key's line (where a multi-line array starts).
    func stringArray(_ key: String) throws(ConfigError) -> [(text: String, line: Int)]? {
        guard let entry = table[key] else { return nil }
        guard case .array(let values) = entry.value else { throw wrongType(entry, expected: "an array of strings") }
        var strings: [(text: String, line: Int)] = []
        for (index, value) in values.enumerated() {
            guard case .string(let text) = value else {
                throw schema.fail(entry.line, "\(named(key)) must hold only strings; element \(index + 1) is \(value.typeDescription)")
            }
            if text.isEmpty { throw schema.fail(entry.line, "\(named(key)) must not hold an empty string (element \(index + 1))") }
            strings.append((text, entry.line))
        }
        return strings
    }

    /// Which one of two alternative keys is present: an error at the header when neither is, at the later one when both are.
    func exactlyOne(_ first: String, _ second: String) throws(ConfigError) -> String {
        switch (table[first], table[second]) {
        case (nil, nil):
            throw schema.fail(table.line, "\(table.displayName) needs either '\(first)' or '\(second)'")
        case (let one?, let other?):
            throw schema.fail(max(one.line, other.line), "\(table.displayName) has both '\(first)' and '\(second)'; give exactly one")
        case (_?, nil):
            return first
        case (nil, _?):
            return second
        }
    }
}
