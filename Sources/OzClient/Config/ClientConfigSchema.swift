import OzProtocol

/// Checks a parsed document against ozchat's schema (top-level settings and `[[room]]` tables), stopping at the first
/// problem. As in ozgate's config: a bad value points at its own line, a missing key at its table's header.
struct ClientConfigSchema {
    let file: String
    let environment: [String: String]

    static let topLevelKeys = ["nick", "avatar", "history", "highlights", "bell", "mouse", "log_dir"]
    static let roomKeys = ["name", "server", "servers", "token", "token_command", "nick", "avatar", "password_command", "autojoin"]

    func check(_ document: TOMLDocument) throws(ConfigError) -> ClientConfigFile {
        var config = try readTopLevel(document.root)
        var names: [String: (name: String, line: Int)] = [:]
        for table in document.tables {
            switch (table.name, table.kind) {
            case ("room", .arrayElement):
                let (room, nameLine) = try readRoom(table)
                if let first = names[room.name.lowercased()] {
                    let written = first.name == room.name ? "" : " as '\(first.name)'"
                    throw fail(nameLine, "duplicate room name '\(room.name)' (first defined on line \(first.line)\(written))")
                }
                names[room.name.lowercased()] = (room.name, nameLine)
                config.rooms.append(room)
            case ("room", _):
                throw fail(table.line, "\(table.displayName) must be written as an array of tables: [[room]]")
            default:
                throw fail(table.line, "unknown table \(table.displayName); the only tables allowed are [[room]]")
            }
        }
        return config
    }

    private func readTopLevel(_ table: TOMLTable) throws(ConfigError) -> ClientConfigFile {
        let reader = try ConfigTableReader(table, allowed: Self.topLevelKeys, schema: self)
        var config = ClientConfigFile.defaults(environment: environment)
        config.nick = try reader.nonEmptyString("nick")
        config.avatar = try reader.string("avatar")?.text
        config.history = try reader.integer("history", in: 0...500) ?? config.history
        config.highlights = try reader.stringArray("highlights")?.map(\.text) ?? []
        config.mouse = try reader.boolean("mouse") ?? config.mouse
        if let (text, line) = try reader.string("bell") {
            guard let bell = BellPolicy(rawValue: text) else {
                throw fail(line, "'bell' must be \"highlight\", \"all\" or \"never\", not \"\(text)\"")
            }
            config.bell = bell
        }
        if let (text, line) = try reader.string("log_dir") {
            config.logDirectory = try logDirectory(text, line: line)
        }
        return config
    }

    /// `""` turns logs off; `~` and `~/…` are expanded; anything else must be absolute.
    private func logDirectory(_ text: String, line: Int) throws(ConfigError) -> String? {
        if text.isEmpty { return nil }
        let home = ClientConfigFile.home(environment: environment)
        if text == "~" { return home }
        if text.hasPrefix("~/") { return home + text.dropFirst() }
        guard text.hasPrefix("/") else {
            throw fail(line, "'log_dir' must be an absolute path or start with ~/ (or be \"\" to turn chat logs off), not '\(text)'")
        }
        return text
    }

    private func readRoom(_ table: TOMLTable) throws(ConfigError) -> (SavedRoom, nameLine: Int) {
        let reader = try ConfigTableReader(table, allowed: Self.roomKeys, schema: self)
        let (name, nameLine) = try reader.requiredString("name")
        guard SavedRoom.isValidName(name) else {
            throw fail(
                nameLine,
                "invalid room name '\(name)': use 1-\(SavedRoom.maxNameLength) ASCII letters, digits, '-', '_' or '.', not starting with '.'")
        }
        let servers = try readServers(reader)
        let token: SecretSource
        switch try reader.exactlyOne("token", "token_command") {
        case "token":
            let (text, line) = try reader.requiredString("token")
            if text.isEmpty { throw fail(line, "'token' must not be empty") }
            if text.count > WireLimits.maxTokenLength {
                throw fail(line, "'token' is \(text.count) characters long; the limit is \(WireLimits.maxTokenLength)")
            }
            token = .value(text)
        default:
            token = .command(try reader.nonEmptyString("token_command")!)
        }
        let room = SavedRoom(
            name: name, servers: servers, token: token, nick: try reader.nonEmptyString("nick"), avatar: try reader.string("avatar")?.text,
            passwordCommand: try reader.nonEmptyString("password_command"), autojoin: try reader.boolean("autojoin") ?? false,
            line: table.line)
        return (room, nameLine)
    }

    /// `server = "…"` or `servers = ["…", …]` (at least one), each a valid server address.
    private func readServers(_ reader: ConfigTableReader) throws(ConfigError) -> [String] {
        let written: [(text: String, line: Int)]
        switch try reader.exactlyOne("server", "servers") {
        case "server":
            written = [try reader.requiredString("server")]
        default:
            written = try reader.stringArray("servers")!
            if written.isEmpty { throw fail(reader.table["servers"]!.line, "'servers' must name at least one server") }
        }
        for (text, line) in written {
            do {
                _ = try ServerAddress(parsing: text)
            } catch {
                throw fail(line, "invalid server '\(text)': \(error)")
            }
        }
        return written.map(\.text)
    }

    func fail(_ line: Int, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, message: message)
    }
}
