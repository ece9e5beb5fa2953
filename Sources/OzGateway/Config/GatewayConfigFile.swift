import Foundation
import OzProtocol

/// A secret as written in the config: either plain text (hashed at load, never kept) or an already hashed form.
public enum ConfigSecret: Sendable, Equatable {
    /// The secret itself, as written; the loader's caller hashes it and drops the text.
    case plain(String)
    /// An already hashed form (`token_hash` / `password_hash`), passed on unchecked.
    case hashed(String)
}

/// One `[[line]]` (a room) from the config file.
public struct LineEntry: Sendable, Equatable {
    /// The room's name: 1-64 ASCII letters, digits, `-`, `_` or `.`; unique (case-sensitive) in the file.
    public var name: String
    /// From `token` (1-256 characters) or `token_hash` (non-empty, content not checked here).
    public var token: ConfigSecret
    /// From `expires`, written as a TOML date-time or a quoted RFC 3339 string.
    public var expires: Date?
    /// The 1-based line of the `[[line]]` header.
    public var line: Int

    /// Memberwise initializer.
    public init(name: String, token: ConfigSecret, expires: Date?, line: Int) {
        self.name = name
        self.token = token
        self.expires = expires
        self.line = line
    }
}

/// One `[[extension]]` from the config file.
public struct ExtensionEntry: Sendable, Equatable {
    /// 1-32 ASCII letters or digits, unique (case-sensitive) in the file; an integer value is kept as its decimal text.
    public var number: String
    /// From `password` or `password_hash`, both non-empty.
    public var password: ConfigSecret
    /// The `name` of the `[[line]]` this extension belongs to.
    public var lineName: String
    /// The 1-based line of the `[[extension]]` header.
    public var line: Int

    /// Memberwise initializer.
    public init(number: String, password: ConfigSecret, lineName: String, line: Int) {
        self.number = number
        self.password = password
        self.lineName = lineName
        self.line = line
    }
}

/// The parsed, schema-checked config file.
public struct GatewayConfigFile: Sendable, Equatable {
    /// The `[[line]]` tables in file order; never empty.
    public var lines: [LineEntry]
    /// The `[[extension]]` tables in file order; each names a line in `lines`.
    public var extensions: [ExtensionEntry]
    /// The `[limits]` table over the defaults (`GatewayLimits.standard` without one).
    public var limits: GatewayLimits
    /// `handshake_timeout` from `[limits]`, in seconds, when given.
    public var handshakeTimeout: Int?
    /// The `[history]` table: where messages are kept and for how long.
    public var history: HistorySettings
    /// The `[cluster]` table: the PostgreSQL URL (`url`) and this node's name (`node_id`), when given.
    public var cluster: (url: String, nodeID: String?)?
    /// The top-level `web` key: whether ozgate serves OzWebClient.js and the web chatroom (nil: not given, on).
    public var web: Bool?

    public static func == (a: GatewayConfigFile, b: GatewayConfigFile) -> Bool {
        a.lines == b.lines && a.extensions == b.extensions && a.limits == b.limits && a.handshakeTimeout == b.handshakeTimeout
            && a.history == b.history && a.cluster?.url == b.cluster?.url && a.cluster?.nodeID == b.cluster?.nodeID
            && a.web == b.web
    }

    /// Memberwise initializer.
    public init(
        lines: [LineEntry], extensions: [ExtensionEntry], limits: GatewayLimits = .standard, handshakeTimeout: Int? = nil,
        history: HistorySettings = HistorySettings()
    ) {
        self.lines = lines
        self.extensions = extensions
        self.limits = limits
        self.handshakeTimeout = handshakeTimeout
        self.history = history
    }

    /// Reads the file at `path` (which must be valid UTF-8) and parses it; errors name `path`.
    public static func load(path: String) throws(ConfigError) -> GatewayConfigFile {
        try parse(try ConfigError.readText(path: path), file: path)
    }

    /// Parses config text; `file` is only used to label errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> GatewayConfigFile {
        let document: TOMLDocument
        do {
            document = try TOMLDocument.parse(text)
        } catch {
            let column = error.column.map { " (column \($0))" } ?? ""
            throw ConfigError(file: file, line: error.line, message: error.message + column)
        }
        return try ConfigSchema(file: file).check(document)
    }
}

/// Checks a parsed document against the `[[line]]` / `[[extension]]` schema, stopping at the first problem.
private struct ConfigSchema {
    let file: String

    func check(_ document: TOMLDocument) throws(ConfigError) -> GatewayConfigFile {
        var web: Bool?
        for entry in document.root.entries {
            guard entry.key == "web" else {
                throw fail(entry.line, "unknown top-level key '\(entry.key)'; the only one is 'web' (true or false), then the tables")
            }
            guard case .boolean(let on) = entry.value else {
                throw fail(entry.line, "'web' must be true or false, not \(entry.value.typeDescription)")
            }
            web = on
        }
        var lines: [LineEntry] = []
        var extensions: [(entry: ExtensionEntry, refLine: Int)] = []
        var lineNames: [String: Int] = [:]
        var numbers: [String: Int] = [:]
        var limits = GatewayLimits.standard
        var handshakeTimeout: Int?
        var history = HistorySettings()
        var cluster: (url: String, nodeID: String?)?
        var historyStoreLine: Int?
        for table in document.tables {
            switch (table.name, table.kind) {
            case ("cluster", .table):
                let reader = try TableReader(table, allowed: ["url", "node_id"], schema: self)
                let url = try reader.requiredString("url").0
                let nodeID = table["node_id"] == nil ? nil : try reader.requiredString("node_id").0
                cluster = (url, nodeID)
            case ("limits", .table):
                (limits, handshakeTimeout) = try readLimits(table)
            case ("history", .table):
                history = try readHistory(table)
                if table["store"] != nil { historyStoreLine = table.line }
            case ("line", .arrayElement):
                let (entry, nameLine) = try readLine(table)
                if let first = lineNames[entry.name] {
                    throw fail(nameLine, "duplicate line name '\(entry.name)' (first defined on line \(first))")
                }
                lineNames[entry.name] = nameLine
                lines.append(entry)
            case ("extension", .arrayElement):
                let (entry, numberLine, refLine) = try readExtension(table)
                if let first = numbers[entry.number] {
                    throw fail(numberLine, "duplicate extension number '\(entry.number)' (first defined on line \(first))")
                }
                numbers[entry.number] = numberLine
                extensions.append((entry, refLine))
            case ("line", _), ("extension", _):
                throw fail(table.line, "\(table.displayName) must be written as an array of tables: [[\(table.name)]]")
            case ("limits", _), ("history", _), ("cluster", _):
                throw fail(table.line, "[[\(table.name)]] must be a single table: [\(table.name)]")
            default:
                throw fail(
                    table.line, "unknown table \(table.displayName); allowed tables: [[line]], [[extension]], [limits], [history], [cluster]")
            }
        }
        guard !lines.isEmpty else {
            throw ConfigError(file: file, line: nil, message: "no [[line]] tables; at least one line must be defined")
        }
        if cluster != nil, let historyStoreLine {
            throw fail(historyStoreLine, "a [cluster] keeps its history in PostgreSQL: remove 'store' from [history]")
        }
        for (entry, refLine) in extensions where lineNames[entry.lineName] == nil {
            throw fail(refLine, "extension '\(entry.number)' refers to the line '\(entry.lineName)', which is not defined")
        }
        var file = GatewayConfigFile(
            lines: lines, extensions: extensions.map(\.entry), limits: limits, handshakeTimeout: handshakeTimeout, history: history)
        file.cluster = cluster
        file.web = web
        return file
    }

    /// `[history]`: `store` (`"memory"` or `"sqlite:PATH"`), `messages_per_room` and `max_age_days` (0: keep none).
    private func readHistory(_ table: TOMLTable) throws(ConfigError) -> HistorySettings {
        let reader = try TableReader(table, allowed: ["store", "messages_per_room", "max_age_days"], schema: self)
        var settings = HistorySettings()
        if table["store"] != nil {
            let (text, line) = try reader.requiredString("store")
            do {
                settings.store = try HistoryStoreLocation(text)
            } catch {
                throw fail(line, "'store' in [history]: \(error)")
            }
        }
        if let count = try reader.integer("messages_per_room", in: 0...10_000_000) { settings.retention.messagesPerRoom = count }
        if let days = try reader.integer("max_age_days", in: 0...36_500) { settings.retention.maxAgeDays = days }
        return settings
    }

    /// `[limits]`: each key a non-negative integer (0: unlimited), within a sane range.
    private func readLimits(_ table: TOMLTable) throws(ConfigError) -> (GatewayLimits, handshakeTimeout: Int?) {
        let keys: [(String, ClosedRange<Int>, WritableKeyPath<GatewayLimits, Int>?)] = [
            ("message_rate", 0...1_000_000, \.messageRate), ("message_burst", 1...1_000_000, \.messageBurst),
            ("connections_per_ip", 0...1_000_000, \.connectionsPerIP), ("connect_rate_per_ip", 0...1_000_000, \.connectRatePerIP),
            ("connect_burst_per_ip", 1...1_000_000, \.connectBurstPerIP),
            ("max_properties_bytes", 2...WireLimits.maxPropertiesBytes, \.maxPropertiesBytes),
            ("max_members_per_room", 0...10_000_000, \.maxMembersPerRoom),
            ("max_snapshot_bytes", 16 * 1024...WireLimits.maxServerMessageBytes, \.maxSnapshotBytes),
            ("max_pending_password_checks", 1...100_000, \.maxPendingPasswordChecks), ("handshake_timeout", 1...3600, nil),
        ]
        let reader = try TableReader(table, allowed: keys.map(\.0) + ["per_ip_limits_on_loopback"], schema: self)
        var limits = GatewayLimits.standard
        if let entry = table["per_ip_limits_on_loopback"] {
            guard case .boolean(let on) = entry.value else {
                throw fail(entry.line, "'per_ip_limits_on_loopback' in [limits] must be true or false, not \(entry.value.typeDescription)")
            }
            limits.perIPLimitsOnLoopback = on
        }
        var handshakeTimeout: Int?
        for (key, range, path) in keys {
            guard let value = try reader.integer(key, in: range) else { continue }
            if let path { limits[keyPath: path] = value } else { handshakeTimeout = value }
        }
        return (limits, handshakeTimeout)
    }

    private func readLine(_ table: TOMLTable) throws(ConfigError) -> (LineEntry, nameLine: Int) {
        let reader = try TableReader(table, allowed: ["name", "token", "token_hash", "expires"], schema: self)
        let (name, nameLine) = try reader.requiredString("name")
        if !(1...64).contains(name.count) || !name.unicodeScalars.allSatisfy(Self.isNameScalar) {
            throw fail(nameLine, "invalid line name '\(name)': use 1-64 letters, digits, '-', '_' or '.'")
        }
        let token = try reader.secret(plain: "token", hashed: "token_hash", maxLength: 256)
        var expires: Date?
        if let entry = table["expires"] {
            switch entry.value {
            case .dateTime(let date):
                expires = date
            case .string(let text):
                switch TOMLDateTime.parse(text) {
                case .success(let date): expires = date
                case .failure(let problem): throw fail(entry.line, "'expires' is not a valid RFC 3339 date-time: \(problem.message)")
                }
            default:
                throw fail(entry.line, "'expires' in [[line]] must be a date-time such as 2030-01-01T00:00:00Z, not \(entry.value.typeDescription)")
            }
        }
        return (LineEntry(name: name, token: token, expires: expires, line: table.line), nameLine)
    }

    private func readExtension(_ table: TOMLTable) throws(ConfigError) -> (ExtensionEntry, numberLine: Int, refLine: Int) {
        let reader = try TableReader(table, allowed: ["number", "password", "password_hash", "line"], schema: self)
        guard let numberEntry = table["number"] else { throw fail(table.line, "[[extension]] is missing the required key 'number'") }
        let number: String
        switch numberEntry.value {
        case .string(let text): number = text
        case .integer(let value): number = String(value)
        default: throw fail(numberEntry.line, "'number' in [[extension]] must be a string or an integer, not \(numberEntry.value.typeDescription)")
        }
        if !(1...32).contains(number.count) || !number.unicodeScalars.allSatisfy(Self.isAlphanumeric) {
            throw fail(numberEntry.line, "invalid extension number '\(number)': use 1-32 letters or digits")
        }
        let password = try reader.secret(plain: "password", hashed: "password_hash", maxLength: nil)
        let (lineName, refLine) = try reader.requiredString("line")
        let entry = ExtensionEntry(number: number, password: password, lineName: lineName, line: table.line)
        return (entry, numberEntry.line, refLine)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9": true
        default: false
        }
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "-" || scalar == "_" || scalar == "."
    }

    func fail(_ line: Int, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, message: message)
    }
}

/// Typed access to one table's keys, after rejecting keys outside the allowed set.
private struct TableReader {
    let table: TOMLTable
    let schema: ConfigSchema

    init(_ table: TOMLTable, allowed: [String], schema: ConfigSchema) throws(ConfigError) {
        for entry in table.entries where !allowed.contains(entry.key) {
            let list = allowed.joined(separator: ", ")
            throw schema.fail(entry.line, "unknown key '\(entry.key)' in \(table.displayName); allowed keys: \(list)")
        }
        self.table = table
        self.schema = schema
    }

    func requiredString(_ key: String) throws(ConfigError) -> (String, line: Int) {
        guard let entry = table[key] else {
            throw schema.fail(table.line, "\(table.displayName) is missing the required key '\(key)'")
        }
        guard case .string(let text) = entry.value else {
            throw schema.fail(entry.line, "'\(key)' in \(table.displayName) must be a string, not \(entry.value.typeDescription)")
        }
        return (text, entry.line)
    }

    /// An optional integer key within `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let entry = table[key] else { return nil }
        guard case .integer(let value) = entry.value else {
            throw schema.fail(entry.line, "'\(key)' in \(table.displayName) must be an integer, not \(entry.value.typeDescription)")
        }
        guard range.contains(value) else {
            throw schema.fail(entry.line, "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    /// Exactly one of `plain` and `hashed` must be present; both must be non-empty and `plain` at most `maxLength`.
    func secret(plain: String, hashed: String, maxLength: Int?) throws(ConfigError) -> ConfigSecret {
        switch (table[plain], table[hashed]) {
        case (nil, nil):
            throw schema.fail(table.line, "\(table.displayName) needs either '\(plain)' or '\(hashed)'")
        case (let first?, let second?):
            let later = max(first.line, second.line)
            throw schema.fail(later, "\(table.displayName) has both '\(plain)' and '\(hashed)'; give exactly one")
        case (_?, nil):
            let (text, line) = try requiredString(plain)
            if text.isEmpty { throw schema.fail(line, "'\(plain)' must not be empty") }
            if let maxLength, text.count > maxLength {
                throw schema.fail(line, "'\(plain)' is \(text.count) characters long; the limit is \(maxLength)")
            }
            return .plain(text)
        case (nil, _?):
            let (text, line) = try requiredString(hashed)
            if text.isEmpty { throw schema.fail(line, "'\(hashed)' must not be empty") }
            return .hashed(text)
        }
    }
}
