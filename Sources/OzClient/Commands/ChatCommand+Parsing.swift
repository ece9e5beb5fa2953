extension ChatCommand {
    /// Parses one typed line; nil for a blank line. Unknown commands are an error, never sent as text.
    public static func parse(_ line: String) throws(CommandError) -> ChatCommand? {
        let trimmed = line.trimmingWhitespace
        guard !trimmed.isEmpty else { return nil }
        guard trimmed.hasPrefix("/") else { return .say(line) }
        if trimmed.hasPrefix("//") { return .say(String(trimmed.dropFirst())) }
        let (name, rest) = trimmed.dropFirst().splitFirstWord()
        switch name.lowercased() {
        case "msg", "m", "query":
            let (target, text) = rest.splitFirstWord()
            guard !target.isEmpty, !text.isEmpty else { throw CommandError("usage: /msg NICK|NUMBER text") }
            return .msg(target: target, text: text)
        case "connect", "server":
            return .connect(try parseConnect(rest, command: "connect"))
        case "disconnect": return .disconnect
        case "part", "leave": return .part
        case "join", "j":
            let words = try ShellWords.split(rest)
            if words.count == 1, !words[0].hasPrefix("--") { return .join(.saved(words[0])) }
            guard let arguments = try parseConnect(rest, command: "join") else {
                throw CommandError("usage: /join \(connectUsage), or /join NAME (a saved room)")
            }
            return .join(.room(arguments))
        case "window", "win":
            guard let number = Int(rest), number >= 1 else { throw CommandError("usage: /window N (a window number, from 1)") }
            return .window(number)
        case "rooms", "windows": return .rooms
        case "reconnect": return .reconnect
        case "nick":
            guard !rest.isEmpty else { throw CommandError("usage: /nick NAME") }
            return .nick(rest)
        case "whois":
            guard !rest.isEmpty, !rest.contains(" ") else { throw CommandError("usage: /whois NICK|NUMBER") }
            return .whois(rest)
        case "clear": return .clear
        case "help", "?": return .help
        case "quit", "exit", "q": return .quit
        default:
            throw CommandError("unknown command /\(name); /help lists the commands (start with // to send a line beginning with /)")
        }
    }

    /// The arguments `/connect` and `/join` take.
    static let connectUsage = "SERVER TOKEN [--server ADDR]... [--nick N] [--avatar URL] [--password P]"

    /// `[SERVER] TOKEN` and the options: the servers are SERVER, then each `--server` in order (so, as on the command
    /// line, `--server A --server B TOKEN` needs no SERVER).
    private static func parseConnect(_ text: String, command: String) throws(CommandError) -> ConnectArguments? {
        let words = try ShellWords.split(text)
        guard !words.isEmpty else { return nil }
        var positional: [String] = []
        var options: [String: String] = [:]
        var servers: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if ["--nick", "--avatar", "--password", "--server"].contains(word) {
                guard index + 1 < words.count else { throw CommandError("\(word) needs a value") }
                if word == "--server" { servers.append(words[index + 1]) } else { options[word] = words[index + 1] }
                index += 2
            } else if word.hasPrefix("--") {
                throw CommandError("unknown option \(word); /\(command) takes --server, --nick, --avatar and --password")
            } else {
                positional.append(word)
                index += 1
            }
        }
        switch positional.count {
        case 2: servers.insert(positional[0], at: 0)
        case 1 where !servers.isEmpty: break
        default: throw CommandError("usage: /\(command) \(connectUsage)")
        }
        return ConnectArguments(
            servers: servers, token: positional.last!, nick: options["--nick"], avatar: options["--avatar"], password: options["--password"])
    }
}

/// Splits a command's arguments like a shell: spaces separate words; single or double quotes group; backslash escapes.
enum ShellWords {
    static func split(_ text: String) throws(CommandError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for char in text {
            if escaped {
                current.append(char)
                escaped = false
            } else if char == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if char == open { quote = nil } else { current.append(char) }
            } else if char == "\"" || char == "'" {
                quote = char
                inWord = true
            } else if char.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(char)
                inWord = true
            }
        }
        guard quote == nil else { throw CommandError("unterminated quote") }
        if inWord || escaped { words.append(current) }
        return words
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// The first word and the rest, trimmed.
    func splitFirstWord() -> (String, String) {
        let text = trimmingWhitespace
        guard let space = text.firstIndex(where: \.isWhitespace) else { return (text, "") }
        return (String(text[..<space]), text[space...].trimmingWhitespace)
    }
}
