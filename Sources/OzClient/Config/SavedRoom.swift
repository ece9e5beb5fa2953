/// Where a secret comes from: written in the config file, or printed by a command run with `/bin/sh -c`.
public enum SecretSource: Sendable, Equatable {
    /// The secret itself, as written.
    case value(String)
    /// A shell command whose standard output's first line is the secret (see `SecretCommand`).
    case command(String)
}

/// One `[[room]]` of the config file: a room ozchat can join by name (`/join NAME`) or at start (`autojoin`).
public struct SavedRoom: Sendable, Equatable {
    /// Unique in the file (ignoring case); also the room's window label and its log directory's name. See ``isValidName(_:)``.
    public var name: String
    /// `server`, or the `servers` list, as written (each checked with `ServerAddress(parsing:)`); never empty.
    public var servers: [String]
    /// From `token` or `token_command`.
    public var token: SecretSource
    /// This room's nickname, over the file's top-level `nick`.
    public var nick: String?
    /// This room's avatar, over the file's top-level `avatar`.
    public var avatar: String?
    /// The command that prints this room's password; without it the password comes from `OZCHAT_PASSWORD`.
    public var passwordCommand: String?
    /// Whether ozchat joins the room at start.
    public var autojoin: Bool
    /// The 1-based line of the `[[room]]` header.
    public var line: Int

    /// Memberwise initializer.
    public init(
        name: String, servers: [String], token: SecretSource, nick: String? = nil, avatar: String? = nil, passwordCommand: String? = nil,
        autojoin: Bool = false, line: Int = 0
    ) {
        self.name = name
        self.servers = servers
        self.token = token
        self.nick = nick
        self.avatar = avatar
        self.passwordCommand = passwordCommand
        self.autojoin = autojoin
        self.line = line
    }

    /// The longest room name, in characters.
    public static let maxNameLength = 32

    /// Whether `name` can name a room: 1–32 ASCII letters, digits, `-`, `_` or `.`, not starting with `.`, so that it is
    /// short enough for a window label and safe as a directory name as it stands (no `/`, no `..`, not hidden).
    public static func isValidName(_ name: String) -> Bool {
        guard (1...maxNameLength).contains(name.unicodeScalars.count), name.first != "." else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".": true
            default: false
            }
        }
    }
}
