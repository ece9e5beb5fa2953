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
            case .send(let text, let recipient): effects.append(.send(text: text, to: recipient, window: actingID))
            case .connect(let credentials): effects.append(.connect(credentials, window: actingID))
            case .disconnect: effects.append(.disconnect(window: actingID))
            case .notice(let text): info(text)
            case .refusal(let text): append(.error, VisibleText.sanitize(text))
            case .clearLog:
                log.removeAll()
                historyMore = false
                scrollToBottom()
                unseen = 0
            case .openPrompt: form = CredentialsForm(credentials: credentials)
            case .openWindow(let credentials):
                let id = openWindow(savedName: nil, credentials: credentials)
                effects.append(.connect(credentials, window: id))
            case .openSaved(let name):
                effects += openSaved(name)
            case .closeWindow:
                effects += partShownWindow()
            case .showWindow(let number):
                if windows.indices.contains(number - 1) {
                    show(number - 1)
                } else {
                    append(.error, "no window \(number): \(windows.count == 1 ? "1 window is" : "\(windows.count) windows are") open")
                }
            case .listWindows:
                listWindows()
            case .quit:
                quitting = true
                effects.append(.quit)
            }
        }
        return (effects, outcome.consumed)
    }
}
