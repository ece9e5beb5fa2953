import OzClient
import OzProtocol

extension AppState {
    /// Runs a typed command; returns the effects and whether the input line was used up (false keeps it for a retry).
    mutating func execute(_ command: ChatCommand) -> ([AppEffect], Bool) {
        switch command {
        case .say(let text):
            guard case .accessGranted = connection else {
                append(.error, "not connected: the message was not sent (it is still in the input line)")
                return ([], false)
            }
            return ([.send(text: text, to: ClientFrame.room)], true)
        case .msg(let target, let text):
            guard case .accessGranted = connection else {
                append(.error, "not connected: the message was not sent (it is still in the input line)")
                return ([], false)
            }
            guard let number = resolve(target) else { return ([], false) }
            return ([.send(text: text, to: number)], true)
        case .connect(let arguments?):
            credentials = credentials.applying(arguments)
            return ([.connect(credentials)], true)
        case .connect(nil):
            form = CredentialsForm(credentials: credentials)
            return ([], true)
        case .disconnect:
            return ([.disconnect], true)
        case .reconnect:
            return ([.connect(credentials)], true)
        case .nick(let nick):
            credentials.nickname = nick
            info("reconnecting as \(nick)")
            return ([.connect(credentials)], true)
        case .whois(let target):
            guard let number = resolve(target), let peer = roster[phoneNumber: number] ?? (number == myNumber ? me : nil) else {
                return ([], true)
            }
            info("\(peer.displayName) (\(peer.phoneNumber))")
            for (key, value) in peer.properties.members {
                info("  \(key): \(value.stringValue ?? JSONWriter.string(value))")
            }
            return ([], true)
        case .clear:
            log.removeAll()
            scrollToBottom()
            return ([], true)
        case .help:
            for line in ChatCommand.helpLines { info(line) }
            info("keys: PgUp/PgDn scroll the log (Home/End too when the input is empty), Ctrl-P/Ctrl-N scroll the roster, F3 or Ctrl-T toggles it")
            info("keys: F2 credentials prompt, Tab completes nicknames, Up/Down history, Ctrl-L redraws, Ctrl-C quits")
            return ([], true)
        case .quit:
            quitting = true
            return ([.quit], true)
        }
    }

    /// A peer's number from a number or a nickname (ignoring case); logs why when there is none or several.
    mutating func resolve(_ target: String) -> String? {
        do {
            return try roster.resolve(target, me: myNumber)
        } catch {
            append(.error, VisibleText.sanitize(error.message))
            return nil
        }
    }
}
