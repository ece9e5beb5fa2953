import OzProtocol

/// The one interpreter of typed commands, shared by `--plain` and the terminal UI. A pure function: it reads what the
/// front end knows (``CommandContext``) and returns what to do (``CommandOutcome``); the front end carries the actions
/// out (the UI's reducer turns them into state changes and effects, `--plain` into client calls and `INFO` lines).
public enum CommandInterpreter {
    /// Interprets one typed line; nil for a blank one. A line that does not parse is refused and not used up.
    public static func run(line: String, in context: CommandContext) -> CommandOutcome? {
        do {
            guard let command = try ChatCommand.parse(line) else { return nil }
            return run(command, in: context)
        } catch {
            return CommandOutcome(credentials: context.credentials, actions: [.refusal(error.message)], consumed: false)
        }
    }

    /// Interprets one command.
    public static func run(_ command: ChatCommand, in context: CommandContext) -> CommandOutcome {
        var outcome = CommandOutcome(credentials: context.credentials, actions: [], consumed: true)
        func refuse(_ text: String, keepLine: Bool = true) -> CommandOutcome {
            outcome.actions = [.refusal(text)]
            outcome.consumed = !keepLine
            return outcome
        }
        switch command {
        case .say(let text):
            if let problem = sendProblem(text, context, toRoom: true) { return refuse(problem) }
            outcome.actions = [.send(text: text, to: ClientFrame.room)]
        case .msg(let target, let text):
            if let problem = sendProblem(text, context) { return refuse(problem) }
            do {
                outcome.actions = [.send(text: text, to: try context.roster.resolve(target, me: context.myNumber))]
            } catch {
                return refuse(error.message)
            }
        case .connect(let arguments?):
            if let problem = addressProblem(arguments) { return refuse("cannot connect: \(problem)") }
            outcome.credentials = context.credentials.applying(arguments)
            outcome.actions = [.connect(outcome.credentials)]
        case .connect(nil):
            switch context.frontEnd {
            case .terminal: outcome.actions = [.openPrompt]
            case .plain: return refuse("usage: /connect \(ChatCommand.connectUsage)")
            }
        case .disconnect:
            outcome.actions = [.disconnect]
        case .reconnect:
            outcome.actions = [.connect(context.credentials)]
        case .nick(let nick):
            outcome.credentials.nickname = nick
            outcome.actions = [.notice("reconnecting as \(nick)"), .connect(outcome.credentials)]
        case .whois(let target):
            let number: String
            do {
                number = try context.roster.resolve(target, me: context.myNumber)
            } catch {
                return refuse(error.message, keepLine: false)
            }
            guard let peer = context.roster[phoneNumber: number] ?? (number == context.myNumber ? context.me : nil) else {
                return refuse("no one called \(target) is here", keepLine: false)
            }
            outcome.actions = [.notice("\(peer.displayName) (\(peer.phoneNumber))")]
            for (key, value) in peer.properties.members {
                outcome.actions.append(.notice("  \(key): \(value.stringValue ?? JSONWriter.string(value))"))
            }
        case .clear:
            switch context.frontEnd {
            case .terminal: outcome.actions = [.clearLog]
            case .plain: return refuse("/clear clears the terminal UI's log; --plain keeps none", keepLine: false)
            }
        case .help:
            outcome.actions = CommandHelp.lines(for: context.frontEnd).map(CommandAction.notice)
        case .quit:
            outcome.actions = [.quit]
        case .part:
            outcome.actions = context.frontEnd == .terminal ? [.closeWindow] : [.disconnect]
        case .join(let target):
            guard context.frontEnd == .terminal else { return refuse("--plain holds one room: /join opens a window in the terminal UI") }
            switch target {
            case .saved(let name): outcome.actions = [.openSaved(name)]
            case .room(let arguments):
                if let problem = addressProblem(arguments) { return refuse("cannot join: \(problem)") }
                // The new room starts from our current nickname and avatar; a password only if given again for it.
                outcome.actions = [.openWindow(context.credentials.applying(arguments))]
            }
        case .window(let number):
            guard context.frontEnd == .terminal else { return refuse("--plain holds one room: there are no windows", keepLine: false) }
            outcome.actions = [.showWindow(number)]
        case .rooms:
            guard context.frontEnd == .terminal else { return refuse("--plain holds one room: there are no windows", keepLine: false) }
            outcome.actions = [.listWindows]
        }
        return outcome
    }

    /// The first server of `arguments` that does not parse, and why: `SERVER "x": the reason`.
    private static func addressProblem(_ arguments: ConnectArguments) -> String? {
        for server in arguments.servers {
            do {
                _ = try ServerAddress(parsing: server)
            } catch {
                return "SERVER \"\(server)\": \(error)"
            }
        }
        return nil
    }

    /// Why `text` cannot go to the gateway now, if it cannot: no granted session (a room message may wait for one on
    /// its way), or a length the protocol refuses.
    private static func sendProblem(_ text: String, _ context: CommandContext, toRoom: Bool = false) -> String? {
        guard context.isGranted || (toRoom && context.isReconnecting) else { return "not connected: the message was not sent" }
        let scalars = text.unicodeScalars.count
        guard (1...WireLimits.maxTextScalars).contains(scalars) else { return "not sent: \(OzClientError.invalidText(scalars: scalars))" }
        return nil
    }
}

/// What a front end knows when the user types a command: its view of the session, built from the client's events.
public struct CommandContext: Sendable {
    /// The credentials the session connects with now.
    public var credentials: Credentials
    /// Whether the session is granted (messages can go).
    public var isGranted: Bool
    /// Our number while granted.
    public var myNumber: String?
    /// The peers of the current room (ourselves excluded).
    public var roster: Roster
    /// Where the command runs.
    public var frontEnd: FrontEnd
    /// Whether a session is on its way without the user (connecting, or a retry scheduled): room messages typed now
    /// wait and go out once it resumes (``OzClient/send(_:to:)``).
    public var isReconnecting: Bool

    public init(
        credentials: Credentials, isGranted: Bool, myNumber: String?, roster: Roster, frontEnd: FrontEnd, isReconnecting: Bool = false
    ) {
        self.credentials = credentials
        self.isGranted = isGranted
        self.isReconnecting = isReconnecting
        self.myNumber = myNumber
        self.roster = roster
        self.frontEnd = frontEnd
    }

    /// Ourselves as peers see us (no password), while granted.
    public var me: ClientInfo? {
        myNumber.map { ClientInfo(phoneNumber: $0, status: .online, properties: credentials.properties.withoutPasswords) }
    }
}

/// What a command asks for: the credentials to keep, the actions to carry out in order, and whether the typed line is
/// used up (false: it was refused and stays in the UI's input line for a correction).
public struct CommandOutcome: Sendable, Equatable {
    public var credentials: Credentials
    public var actions: [CommandAction]
    public var consumed: Bool

    public init(credentials: Credentials, actions: [CommandAction], consumed: Bool) {
        self.credentials = credentials
        self.actions = actions
        self.consumed = consumed
    }
}

/// One thing a command asks the front end to do.
public enum CommandAction: Sendable, Equatable {
    /// Send a message to the room (`*`) or a peer's number.
    case send(text: String, to: String)
    /// Connect (or reconnect) with these credentials.
    case connect(Credentials)
    /// End the session; no automatic reconnect.
    case disconnect
    /// A line of information for the user (help, whois, progress); not yet sanitised.
    case notice(String)
    /// Why the command did nothing; not yet sanitised.
    case refusal(String)
    /// Empty the log (the terminal UI).
    case clearLog
    /// Open the credentials prompt (the terminal UI).
    case openPrompt
    /// Disconnect and exit.
    case quit
    /// Open a window for a room with these credentials and show it (the terminal UI).
    case openWindow(Credentials)
    /// Open a window for the saved room of this name (the terminal UI).
    case openSaved(String)
    /// Leave the room and close its window (the terminal UI).
    case closeWindow
    /// Show window N, counted from 1 (the terminal UI).
    case showWindow(Int)
    /// List the windows (the terminal UI).
    case listWindows
}
