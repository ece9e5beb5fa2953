import Foundation
import OzClient
import OzProtocol
import Testing

private let home = ["HOME": "/home/ann"]

private func parse(_ text: String) throws(ConfigError) -> ClientConfigFile {
    try ClientConfigFile.parse(text, file: "c.toml", environment: home)
}

/// A file ozchat must reject, and the exact `FILE:LINE: problem` it says.
struct ClientConfigErrorCase: Sendable, CustomTestStringConvertible {
    var text: String
    var expected: String
    var testDescription: String { expected }

    init(_ text: String, _ expected: String) {
        self.text = text
        self.expected = expected
    }
}

/// A valid `[[room]]` on lines 1-4 (`room` + more keys after it).
private let room = "[[room]]\nname = \"work\"\nserver = \"chat.example.com\"\ntoken = \"t\"\n"

@Suite("ozchat's config file")
struct ClientConfigFileTests {
    @Test func completeFile() throws {
        let text = """
            # ozchat
            nick = "ann"
            avatar = "https://example.com/a.png"
            history = 50
            highlights = ["deploy", "ozchat"]
            bell = "all"
            mouse = false
            log_dir = "~/chatlogs"

            [[room]]
            name = "work"
            server = "chat.example.com:7779"
            token_command = "pass show ozchat/work"
            password_command = "pass show ozchat/work-password"
            autojoin = true

            [[room]]
            name = "lobby.2"
            servers = [
              "wss://a.example.com",  # first
              "b.example.com:7780",
            ]
            token = "lobby-token"
            nick = "annie"
            avatar = ""
            """
        let config = try parse(text)
        let expected = ClientConfigFile(
            nick: "ann", avatar: "https://example.com/a.png", history: 50, highlights: ["deploy", "ozchat"], bell: .all, mouse: false,
            logDirectory: "/home/ann/chatlogs",
            rooms: [
                SavedRoom(
                    name: "work", servers: ["chat.example.com:7779"], token: .command("pass show ozchat/work"),
                    passwordCommand: "pass show ozchat/work-password", autojoin: true, line: 10),
                SavedRoom(
                    name: "lobby.2", servers: ["wss://a.example.com", "b.example.com:7780"], token: .value("lobby-token"), nick: "annie",
                    avatar: "", line: 17),
            ])
        #expect(config == expected)
        #expect(config.room(named: "WORK")?.line == 10)
        #expect(config.room(named: "nope") == nil)
    }

    @Test func emptyFileHasTheDefaults() throws {
        let config = try parse("")
        #expect(config == ClientConfigFile(logDirectory: "/home/ann/.local/state/ozchat/logs"))
        #expect(config.history == 200 && config.bell == .highlight && config.mouse && config.nick == nil && config.rooms.isEmpty)
        #expect(try parse("log_dir = \"\"").logDirectory == nil)
        #expect(try parse("log_dir = \"/var/log/me\"").logDirectory == "/var/log/me")
        #expect(try parse("log_dir = \"~\"").logDirectory == "/home/ann")
        #expect(try parse("history = 0").history == 0)
        #expect(try parse("highlights = []").highlights == [])
    }

    @Test func xdgLocations() {
        #expect(ClientConfigFile.defaultPath(environment: home) == "/home/ann/.config/ozchat/config.toml")
        #expect(ClientConfigFile.defaultPath(environment: ["HOME": "/h", "XDG_CONFIG_HOME": "/x"]) == "/x/ozchat/config.toml")
        #expect(ClientConfigFile.defaultPath(environment: ["HOME": "/h", "XDG_CONFIG_HOME": "rel"]) == "/h/.config/ozchat/config.toml")
        #expect(ClientConfigFile.defaultLogDirectory(environment: home) == "/home/ann/.local/state/ozchat/logs")
        #expect(ClientConfigFile.defaultLogDirectory(environment: ["HOME": "/h", "XDG_STATE_HOME": "/s"]) == "/s/ozchat/logs")
        #expect(ClientConfigFile.defaults(environment: ["XDG_STATE_HOME": "/s"]).logDirectory == "/s/ozchat/logs")
    }

    static let errors: [ClientConfigErrorCase] = [
        // A bad value points at its own line.
        ClientConfigErrorCase("nick = \"a\"\nhistory = \"many\"", "c.toml:2: 'history' must be an integer, not a string"),
        ClientConfigErrorCase("history = 501", "c.toml:1: 'history' must be between 0 and 500, not 501"),
        ClientConfigErrorCase("history = -1", "c.toml:1: 'history' must be between 0 and 500, not -1"),
        ClientConfigErrorCase("\nbell = \"sometimes\"", "c.toml:2: 'bell' must be \"highlight\", \"all\" or \"never\", not \"sometimes\""),
        ClientConfigErrorCase("bell = true", "c.toml:1: 'bell' must be a string, not a boolean"),
        ClientConfigErrorCase("mouse = \"yes\"", "c.toml:1: 'mouse' must be true or false, not a string"),
        ClientConfigErrorCase("nick = 5", "c.toml:1: 'nick' must be a string, not an integer"),
        ClientConfigErrorCase("nick = \"\"", "c.toml:1: 'nick' must not be empty"),
        ClientConfigErrorCase("highlights = \"deploy\"", "c.toml:1: 'highlights' must be an array of strings, not a string"),
        ClientConfigErrorCase("highlights = [\"a\", 2]", "c.toml:1: 'highlights' must hold only strings; element 2 is an integer"),
        ClientConfigErrorCase("highlights = [\"a\", \"\"]", "c.toml:1: 'highlights' must not hold an empty string (element 2)"),
        ClientConfigErrorCase(
            "log_dir = \"logs\"", "c.toml:1: 'log_dir' must be an absolute path or start with ~/ (or be \"\" to turn chat logs off), not 'logs'"),
        ClientConfigErrorCase(
            "colour = \"red\"", "c.toml:1: unknown top-level key 'colour'; allowed keys: nick, avatar, history, highlights, bell, mouse, log_dir"),
        ClientConfigErrorCase("nick = \"a", "c.toml:1: unterminated string (column 8)"),
        ClientConfigErrorCase("[server]\nport = 1", "c.toml:1: unknown table [server]; the only tables allowed are [[room]]"),
        ClientConfigErrorCase("[room]\nname = \"a\"", "c.toml:1: [room] must be written as an array of tables: [[room]]"),
        // A missing key points at its table's header.
        ClientConfigErrorCase("nick = \"a\"\n\n[[room]]\nserver = \"h\"\ntoken = \"t\"", "c.toml:3: [[room]] is missing the required key 'name'"),
        ClientConfigErrorCase("[[room]]\nname = \"a\"\ntoken = \"t\"", "c.toml:1: [[room]] needs either 'server' or 'servers'"),
        ClientConfigErrorCase("[[room]]\nname = \"a\"\nserver = \"h\"", "c.toml:1: [[room]] needs either 'token' or 'token_command'"),
        ClientConfigErrorCase(room + "token_command = \"echo t\"", "c.toml:5: [[room]] has both 'token' and 'token_command'; give exactly one"),
        ClientConfigErrorCase(room + "servers = [\"h\"]", "c.toml:5: [[room]] has both 'server' and 'servers'; give exactly one"),
        ClientConfigErrorCase(
            room + "tokne = \"t\"",
            "c.toml:5: unknown key 'tokne' in [[room]]; allowed keys: name, server, servers, token, token_command, nick, avatar, password_command, autojoin"
        ),
        ClientConfigErrorCase(room + "autojoin = 1", "c.toml:5: 'autojoin' in [[room]] must be true or false, not an integer"),
        ClientConfigErrorCase(room + "nick = \"\"", "c.toml:5: 'nick' in [[room]] must not be empty"),
        ClientConfigErrorCase(room + "password_command = \"\"", "c.toml:5: 'password_command' in [[room]] must not be empty"),
        ClientConfigErrorCase("[[room]]\nname = \"a\"\nserver = \"h\"\ntoken = \"\"", "c.toml:4: 'token' must not be empty"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"a\"\nserver = \"h\"\ntoken = \"\(String(repeating: "x", count: 257))\"",
            "c.toml:4: 'token' is 257 characters long; the limit is 256"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"a\"\nserver = \"h\"\ntoken_command = \"\"", "c.toml:4: 'token_command' in [[room]] must not be empty"),
        ClientConfigErrorCase("[[room]]\nname = 5", "c.toml:2: 'name' in [[room]] must be a string, not an integer"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"a/b\"",
            "c.toml:2: invalid room name 'a/b': use 1-32 ASCII letters, digits, '-', '_' or '.', not starting with '.'"),
        ClientConfigErrorCase(
            "[[room]]\nname = \".hidden\"",
            "c.toml:2: invalid room name '.hidden': use 1-32 ASCII letters, digits, '-', '_' or '.', not starting with '.'"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"\"", "c.toml:2: invalid room name '': use 1-32 ASCII letters, digits, '-', '_' or '.', not starting with '.'"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"\(String(repeating: "a", count: 33))\"",
            "c.toml:2: invalid room name '\(String(repeating: "a", count: 33))': use 1-32 ASCII letters, digits, '-', '_' or '.', not starting with '.'"
        ),
        ClientConfigErrorCase(room + "\n" + room, "c.toml:7: duplicate room name 'work' (first defined on line 2)"),
        ClientConfigErrorCase(
            room + room.replacingOccurrences(of: "\"work\"", with: "\"Work\""),
            "c.toml:6: duplicate room name 'Work' (first defined on line 2 as 'work')"),
        // Servers are checked as ozchat's command line checks them.
        ClientConfigErrorCase(
            "[[room]]\nname = \"a\"\nserver = \"ws://\"\ntoken = \"t\"", "c.toml:3: invalid server 'ws://': the server address has no host"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"a\"\nserver = \"h:99999\"\ntoken = \"t\"",
            "c.toml:3: invalid server 'h:99999': the port 99999 is out of range (1-65535)"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"a\"\nservers = [\n  \"h\",\n  \"ftp://x\"\n]\ntoken = \"t\"",
            "c.toml:3: invalid server 'ftp://x': unsupported scheme \"ftp://\": use ws:// or wss://"),
        ClientConfigErrorCase("[[room]]\nname = \"a\"\nservers = []\ntoken = \"t\"", "c.toml:3: 'servers' must name at least one server"),
        ClientConfigErrorCase(
            "[[room]]\nname = \"a\"\nservers = \"h\"\ntoken = \"t\"", "c.toml:3: 'servers' in [[room]] must be an array of strings, not a string"),
    ]

    @Test(arguments: errors)
    func rejected(_ c: ClientConfigErrorCase) {
        let error = #expect(throws: ConfigError.self) { try parse(c.text) }
        #expect(error?.description == c.expected)
    }
}
