/// A line the user typed, understood: text for the room or one of the slash commands shared by `--plain` and the UI.
public enum ChatCommand: Sendable, Equatable {
    /// Text for the room. A line starting with `//` sends the text with one `/` removed.
    case say(String)
    /// `/msg NICK-or-NUMBER text`
    case msg(target: String, text: String)
    /// `/connect SERVER TOKEN [--server ADDR]… [--nick N] [--avatar URL] [--password P]` (with `--server`, SERVER may
    /// be left out); nil arguments mean "ask" (the UI's prompt).
    case connect(ConnectArguments?)
    case disconnect
    case reconnect
    /// `/nick NAME`: reconnect with a new Nickname.
    case nick(String)
    /// `/whois NICK-or-NUMBER`: every property of a peer.
    case whois(String)
    case clear
    case help
    case quit
    /// `/join SERVER TOKEN [--server ADDR]… [--nick N] [--avatar URL] [--password P]` or `/join NAME` (a saved room):
    /// a room in a new window (the terminal UI).
    case join(JoinTarget)
    /// `/part`: leave the room and close its window (in `--plain`, which has one room: disconnect).
    case part
    /// `/window N`: show window N.
    case window(Int)
    /// `/rooms`: list the windows.
    case rooms
}

/// What `/join` opens: a room given by server and token, or a saved room by its name.
public enum JoinTarget: Sendable, Equatable {
    case room(ConnectArguments)
    case saved(String)
}

/// The arguments of `/connect` and `/join`, and of the command line.
public struct ConnectArguments: Sendable, Equatable {
    /// The room's servers, tried in turn from the first (`SERVER`, then each `--server`); never empty.
    public var servers: [String]
    public var token: String
    public var nick: String?
    public var avatar: String?
    public var password: String?

    public init(servers: [String], token: String, nick: String? = nil, avatar: String? = nil, password: String? = nil) {
        precondition(!servers.isEmpty, "ConnectArguments need at least one server")
        self.servers = servers
        self.token = token
        self.nick = nick
        self.avatar = avatar
        self.password = password
    }

    /// Arguments for a room on one server.
    public init(server: String, token: String, nick: String? = nil, avatar: String? = nil, password: String? = nil) {
        self.init(servers: [server], token: token, nick: nick, avatar: avatar, password: password)
    }

    /// The first server.
    public var server: String { servers[0] }
}

/// Why a typed line is not a valid command; the message is shown to the user as a one-line hint.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
