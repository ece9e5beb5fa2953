import ArgumentParser
import Foundation
import OzClient
import OzGateway
import OzProtocol
import OzTUI

/// `ozchat`: the terminal chat client. Arguments and wiring only.
@main
struct OzChat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ozchat",
        abstract: "A terminal chatroom client for ozgate (OzWire v1).",
        discussion: """
            Without arguments, opens every autojoin room of the config file (\(ClientConfigFile.defaultPath())), or with none \
            joins the local gateway recorded in \(LocalGatewayFile.defaultPath()). With one argument, opens the saved room NAME.
            Several servers for one room (nodes of an ozgate cluster): SERVER, then each --server ADDR in order (with --server, \
            SERVER may be left out: ozchat --server A --server B TOKEN). They are tried in turn: a failed attempt or a lost \
            connection moves on to the next, with the usual backoff, and a reconnect resumes where the room was left.
            --plain prints one line per event and reads commands from standard input (see README, "ozchat --plain").
            wss:// always verifies the gateway's certificate, against the system's trust store or only the CAs in --ca FILE; \
            a rejected certificate is CONNECTION_FAILED with the reason, and is not retried.
            Exit status: 0 after /quit, end of input, SIGINT or SIGTERM; 64 for a bad command line; 69 when there is no gateway to join; \
            78 for a bad config file or a saved room whose token or password command failed.
            """
    )

    @Argument(help: "Gateway address: HOST, HOST:PORT, [IPv6]:PORT, ws://… or wss://…; alone: a saved room's NAME") var server: String?
    @Argument(help: "Line token, or an extension number (with --password).") var token: String?
    @Option(
        name: .customLong("server"),
        help: ArgumentHelp(
            "Another server for the room, tried after SERVER and the --server before it (repeatable; any SERVER form).", valueName: "addr"))
    var moreServers: [String] = []
    @Flag(help: "Line mode: no curses; one line per event on stdout, commands on stdin.") var plain = false
    @Option(help: "Your nickname (default: $USER).") var nick: String?
    @Option(help: "Your avatar URL.") var avatar: String?
    @Option(help: "Extension password (or set OZCHAT_PASSWORD, which keeps it out of ps).") var password: String?
    @Option(name: .customLong("property"), help: "Another property to share, KEY=VALUE (repeatable).") var properties: [String] = []
    @Option(help: "Port of the embedded gateway started when no SERVER is given and no local gateway answers.")
    var localPort = WireLimits.defaultPort
    @Option(help: "PEM file of the CA certificate(s) that wss:// trusts instead of the system's store (e.g. a private CA).")
    var ca: String?
    @Option(help: "How many of the room's newest messages to show on joining it (0–500; the gateway must keep history).")
    var history: Int?
    @Option(help: "The config file (default: \(ClientConfigFile.defaultPath())).") var config: String?
    @Option(
        help: """
            Log lines kept in memory (\(AppState.scrollbackRange.lowerBound)–\(AppState.scrollbackRange.upperBound)); \
            scrolling back further unloads and refetches stored messages.
            """)
    var scrollback = AppState.defaultScrollback

    /// Sets up malloc (see `MallocTuning`) and the standard streams (`DescriptorWriter.prepareStandardStreams`) before
    /// the command, or anything that starts a thread, runs.
    static func main() {
        MallocTuning.apply()
        DescriptorWriter.prepareStandardStreams()
        main(nil)
    }

    func validate() throws {
        if let room = try commandLineRoom() {
            for server in room.servers { _ = try Self.address(server) }
            guard (1...WireLimits.maxTokenLength).contains(room.token.count) else {
                throw ValidationError("TOKEN must be 1–\(WireLimits.maxTokenLength) characters")
            }
        }
        _ = try credentials(servers: ["localhost"], token: "x")
        _ = try clientConfiguration()
        guard AppState.scrollbackRange.contains(scrollback) else {
            let range = AppState.scrollbackRange
            throw ValidationError("--scrollback must be \(range.lowerBound)–\(range.upperBound) (log lines kept in memory), not \(scrollback)")
        }
    }

    /// The client settings the command line describes: the history shown on joining (`--history`), the trust for wss://
    /// (`--ca`, else the system's store).
    func clientConfiguration() throws -> OzClientConfiguration {
        if let history, !(0...HistoryRecall.maxNewest).contains(history) {
            throw ValidationError("--history must be 0–\(HistoryRecall.maxNewest) (messages shown on joining), not \(history)")
        }
        var configuration = OzClientConfiguration(history: history ?? OzClientConfiguration.defaultHistory)
        guard let ca else { return configuration }
        do {
            configuration.trust = try ClientTrust.pemFile(ca)
            return configuration
        } catch {
            throw ValidationError("--ca \(error.path): \(error.problem)")
        }
    }

    /// The room the command line names by its servers and token: `SERVER TOKEN`, then each `--server`; with `--server`,
    /// one argument is the TOKEN. Nil without one (a saved room's NAME, autojoin, or the local room).
    func commandLineRoom() throws -> (servers: [String], token: String)? {
        switch (server, token) {
        case (let server?, let token?): return ([server] + moreServers, token)
        case (let token?, nil) where !moreServers.isEmpty: return (moreServers, token)
        case (nil, _) where !moreServers.isEmpty: throw ValidationError("--server needs a TOKEN: ozchat [SERVER] TOKEN --server ADDR…")
        default: return nil
        }
    }

    static func address(_ text: String) throws -> ServerAddress {
        do {
            return try ServerAddress(parsing: text)
        } catch {
            throw ValidationError("SERVER \"\(text)\": \(error)")
        }
    }

    /// The connect arguments and properties the command line describes (the config file's nick and avatar unless given).
    func credentials(servers: [String], token: String, file: ClientConfigFile? = nil) throws -> Credentials {
        var extra = JSONObject()
        for pair in properties {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--property takes KEY=VALUE, not \"\(pair)\"")
            }
            extra[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
        }
        let environment = ProcessInfo.processInfo.environment
        return Credentials(
            servers: servers, token: token, nickname: nick ?? file?.nick ?? Self.userName, avatar: avatar ?? file?.avatar ?? "",
            password: password ?? environment["OZCHAT_PASSWORD"] ?? "", extra: extra)
    }

    /// The nickname when none is given: `$USER`, else `guest`.
    static var userName: String { ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "guest" }

    func run() throws {
        let (file, warnings) = try loadConfig()
        var rooms: [(savedName: String?, credentials: Credentials)] = []
        var embedded: LocalRoom.Joined?
        if let room = try commandLineRoom() {
            rooms = [(nil, try credentials(servers: room.servers, token: room.token, file: file))]
        } else if let name = server {
            guard let saved = file.room(named: name) else {
                let known = file.rooms.map(\.name)
                throw ValidationError(
                    "no saved room \(name) in \(configPath)" + (known.isEmpty ? "; give SERVER TOKEN" : " (it has \(known.joined(separator: ", ")))"))
            }
            rooms = [(saved.name, try savedCredentials(saved, file))]
        } else if !plain, case let autojoin = file.rooms.filter(\.autojoin), !autojoin.isEmpty {
            rooms = try autojoin.map { ($0.name, try savedCredentials($0, file)) }
        } else {
            let port = localPort
            do {
                let room = try MainThreadWait.run { try await LocalRoom.find(port: port) }
                embedded = room
                rooms = [(nil, try credentials(servers: [room.server], token: room.token, file: file))]
            } catch let error as ValidationError {
                throw error
            } catch {
                try? DescriptorWriter.standardError.write("ozchat: \(error)\n")
                throw ExitCode(69)
            }
        }
        var configuration = try clientConfiguration()
        if history == nil { configuration.history = file.history }
        let interactive = !plain && isatty(STDOUT_FILENO) == 1 && isatty(STDIN_FILENO) == 1
        // In the local room, this ozchat keeps the room alive when its host quits (see LocalRoomKeeper).
        let keeper = embedded.flatMap { room -> LocalRoomKeeper? in
            guard let address = try? ServerAddress(parsing: room.server), ["127.0.0.1", "localhost"].contains(address.host) else { return nil }
            return LocalRoomKeeper(port: address.port, token: room.token, path: LocalGatewayFile.defaultPath(), hosting: room.gateway) { note in
                // Standard error in line mode; the full-screen UI owns the terminal, so it says nothing there.
                if !interactive { try? DescriptorWriter.standardError.write("ozchat: \(note)\n") }
            }
        }
        keeper?.start()
        let options = TerminalMode.Options(rooms: rooms, configuration: configuration, scrollback: scrollback, file: file, warnings: warnings)
        if !interactive || !TerminalMode.run(options) {
            let credentials = rooms[0].credentials
            let configuration = configuration
            MainThreadWait.run { await PlainSession(credentials: credentials, configuration: configuration).run() }
        }
        if let keeper { MainThreadWait.run { await keeper.stop() } }
    }

    var configPath: String { config ?? ClientConfigFile.defaultPath() }

    /// Reads the config file (a missing default file is no error; a missing `--config FILE` is): a problem ends ozchat
    /// with exit 78 before anything else, warnings go to standard error.
    func loadConfig() throws -> (ClientConfigFile, [String]) {
        do {
            let (file, warnings) = try ClientConfigFile.load(path: configPath, required: config != nil)
            for warning in warnings { try? DescriptorWriter.standardError.write("ozchat: warning: \(warning)\n") }
            return (file, warnings)
        } catch {
            try? DescriptorWriter.standardError.write("ozchat: \(error)\n")
            throw ExitCode(78)
        }
    }

    /// A saved room's credentials, its commands run now; a failure ends ozchat with exit 78. `--nick`, `--avatar`
    /// and `--password` given on the command line win over the file.
    func savedCredentials(_ room: SavedRoom, _ file: ClientConfigFile) throws -> Credentials {
        do {
            var credentials = try file.credentials(for: room, fallbackNickname: Self.userName)
            if let nick { credentials.nickname = nick }
            if let avatar { credentials.avatar = avatar }
            if let password { credentials.password = password }
            return credentials
        } catch {
            try? DescriptorWriter.standardError.write("ozchat: \(error)\n")
            throw ExitCode(78)
        }
    }
}
