import OzClient
import OzProtocol

extension AppState {
    /// Whether a room message can go now, or wait for the session on its way back (see `OzClient.send`).
    var canSendToRoom: Bool {
        if case .accessGranted = connection { return true }
        return connection?.isOnItsWay == true
    }

    /// Runs a typed command through OzClient's `CommandInterpreter` and carries out what it asks for in the state;
    /// returns the effects for the runtime and whether the input line was used up (false keeps it for a retry).
    mutating func execute(_ command: ChatCommand) -> ([AppEffect], Bool) {
        var isGranted = false
        if case .accessGranted = connection { isGranted = true }
        let context = CommandContext(
            credentials: credentials, isGranted: isGranted, myNumber: myNumber, roster: roster, frontEnd: .terminal,
            isReconnecting: connection?.isOnItsWay == true)
        let outcome = CommandInterpreter.run(command, in: context)
        credentials = outcome.credentials
        var effects: [AppEffect] = []
        for action in outcome.actions {
            switch action {
            case .send(let text, let recipient): effects.append(.send(text: text, to: recipient))
            case .connect(let credentials): effects.append(.connect(credentials))
            case .disconnect: effects.append(.disconnect)
            case .notice(let text): info(text)
            case .refusal(let text): append(.error, VisibleText.sanitize(text))
            case .clearLog:
                log.removeAll()
                historyMore = false
                scrollToBottom()
                unseen = 0
            case .openPrompt: form = CredentialsForm(credentials: credentials)
            case .quit:
                quitting = true
                effects.append(.quit)
            }
        }
        return (effects, outcome.consumed)
    }
}
