import Foundation
import OzProtocol

/// When the terminal bell rings for a message in a room that is not in view.
public enum BellPolicy: String, Sendable, Equatable, CaseIterable {
    /// For a message that mentions a highlight word (or our nickname), and for private messages.
    case highlight
    /// For every message.
    case all
    /// Never.
    case never
}

/// ozchat's settings from `$XDG_CONFIG_HOME/ozchat/config.toml` (or `--config FILE`), checked against its schema.
/// Every field has its default when the key (or the whole file) is missing.
public struct ClientConfigFile: Sendable, Equatable {
    /// `nick`: the nickname for rooms without their own; nil: the caller's fallback (`$USER`).
    public var nick: String?
    /// `avatar`: the avatar for rooms without their own.
    public var avatar: String?
    /// `history`: how many stored messages a join asks for (0–500).
    public var history: Int
    /// `highlights`: words that make a message a highlight (non-empty strings).
    public var highlights: [String]
    /// `bell`.
    public var bell: BellPolicy
    /// `mouse`: whether ozchat takes mouse events.
    public var mouse: Bool
    /// `log_dir` with `~` expanded, or the default; nil when `log_dir = ""` turns chat logs off.
    public var logDirectory: String?
    /// The `[[room]]` tables in file order, with unique names.
    public var rooms: [SavedRoom]

    /// Memberwise initializer; `logDirectory` has no default as the default depends on the environment.
    public init(
        nick: String? = nil, avatar: String? = nil, history: Int = OzClientConfiguration.defaultHistory, highlights: [String] = [],
        bell: BellPolicy = .highlight, mouse: Bool = true, logDirectory: String?, rooms: [SavedRoom] = []
    ) {
        self.nick = nick
        self.avatar = avatar
        self.history = history
        self.highlights = highlights
        self.bell = bell
        self.mouse = mouse
        self.logDirectory = logDirectory
        self.rooms = rooms
    }

    /// The settings of a missing or empty file.
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientConfigFile {
        ClientConfigFile(logDirectory: defaultLogDirectory(environment: environment))
    }

    /// The room named `name` (compared ignoring case, as names are unique that way).
    public func room(named name: String) -> SavedRoom? {
        rooms.first { $0.name.lowercased() == name.lowercased() }
    }

    /// `$XDG_CONFIG_HOME/ozchat/config.toml`, by default `~/.config/ozchat/config.toml` (a relative
    /// `XDG_CONFIG_HOME` is ignored, as the XDG spec asks).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        xdgDirectory("XDG_CONFIG_HOME", fallback: ".config", environment: environment) + "/ozchat/config.toml"
    }

    /// `$XDG_STATE_HOME/ozchat/logs`, by default `~/.local/state/ozchat/logs`.
    public static func defaultLogDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        xdgDirectory("XDG_STATE_HOME", fallback: ".local/state", environment: environment) + "/ozchat/logs"
    }

    /// `$HOME`, or the account's home directory when it is unset or empty.
    static func home(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { home } else { NSHomeDirectory() }
    }

    private static func xdgDirectory(_ variable: String, fallback: String, environment: [String: String]) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        return home(environment: environment) + "/" + fallback
    }
}

extension ClientConfigFile {
    /// Reads and checks the file at `path`. A missing file gives the defaults, unless `required` (for a file named on
    /// the command line, if the caller wants that). The warnings (a token readable by others) are for the user, not errors.
    public static func load(
        path: String, required: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> (config: ClientConfigFile, warnings: [String]) {
        guard required || FileManager.default.fileExists(atPath: path) else { return (defaults(environment: environment), []) }
        let text = try ConfigError.readText(path: path)
        let config = try parse(text, file: path, environment: environment)
        let holdsToken = config.rooms.contains { if case .value = $0.token { true } else { false } }
        let warning = holdsToken ? ConfigPermissions.tokenWarning(path: path) : nil
        return (config, warning.map { [$0] } ?? [])
    }

    /// Parses config text; `file` only labels errors, `environment` gives the default `log_dir` and expands `~`.
    public static func parse(
        _ text: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ClientConfigFile {
        let document: TOMLDocument
        do {
            document = try TOMLDocument.parse(text)
        } catch {
            let column = error.column.map { " (column \($0))" } ?? ""
            throw ConfigError(file: file, line: error.line, message: error.message + column)
        }
        return try ClientConfigSchema(file: file, environment: environment).check(document)
    }
}
