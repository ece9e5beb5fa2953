import OzClient
import OzProtocol

extension AppState {
    /// A key press: the prompt takes everything while open; otherwise global keys, then the input line.
    mutating func handle(_ key: Key) -> [AppEffect] {
        if case .resize = key { return [] }
        if form != nil { return handleForm(key) }
        if search != nil {
            handleSearch(key)
            return []
        }
        if key != .tab { completion = nil }
        var key = key
        // ESC then a key acts as Alt with it (terminals that send Meta as a separate ESC, or a user who types it so).
        if escapePending {
            escapePending = false
            switch key {
            case .text(let text) where text.count == 1: key = .alt(text.first!)
            case .left: key = .altLeft
            case .right: key = .altRight
            default: break
            }
        }
        switch key {
        case .escape:
            escapePending = true
        case .control("r"):
            startOrContinueSearch()
        case .mouse(let event):
            return handleMouse(event)
        case .alt(let character):
            windowKey(character)
        case .altLeft:
            show((current + windows.count - 1) % windows.count)
        case .altRight:
            show((current + 1) % windows.count)
        case .control("c"):
            quitting = true
            return [.quit]
        case .control("l"):
            return []
        case .function(2):
            form = CredentialsForm(credentials: credentials)
        case .function(3), .control("t"):
            rosterVisible.toggle()
            clampScroll()
        case .control("p"):
            rosterScroll = max(0, rosterScroll - max(1, layout.roster.rows - 2))
        case .control("n"):
            rosterScroll += max(1, layout.roster.rows - 2)
            clampRosterScroll()
        case .pageUp:
            scroll(by: max(1, layout.log.rows - 1))
            return loadOlderIfAtTop()
        case .pageDown:
            scroll(by: -max(1, layout.log.rows - 1))
        case .home where editor.text.isEmpty:
            scrollToTop()
        case .end where editor.text.isEmpty:
            scrollToBottom()
        case .up:
            if let previous = history.previous(current: editor.recallText) { editor.set(previous) }
        case .down:
            if let next = history.next() { editor.set(next) }
        case .tab:
            if completion == nil {
                completion = NickCompletion.start(editor: editor, candidates: roster.map(\.displayName))
                if var started = completion {
                    started.next(editor: &editor)
                    completion = started
                }
            } else if var current = completion {
                current.next(editor: &editor)
                completion = current
            }
        case .enter:
            return submit()
        case .paste(let text):
            paste(text)
        default:
            editor.handle(key)
        }
        return []
    }

    /// Alt-1 … Alt-9, Alt-0: window 1–10; Alt-A (either case): the next window with a highlight, else with unseen
    /// messages, else nothing.
    private mutating func windowKey(_ character: Character) {
        if let digit = character.wholeNumberValue, character.isASCII {
            show(digit == 0 ? 9 : digit - 1)
        } else if character == "a" || character == "A", let next = nextActiveWindow {
            show(next)
        }
    }

    private mutating func handleForm(_ key: Key) -> [AppEffect] {
        guard var form else { return [] }
        if key == .control("c") {
            quitting = true
            return [.quit]
        }
        switch form.handle(key) {
        case .editing:
            self.form = form
            return []
        case .cancel:
            self.form = nil
            return []
        case .submit(let credentials):
            self.form = nil
            self.credentials = credentials
            return [.connect(credentials, window: actingID)]
        }
    }

    /// Enter: a command or a message. Nothing typed is lost: a line that cannot be sent stays in the input.
    private mutating func submit() -> [AppEffect] {
        if let effects = submitPasted() { return effects }  // pasted text is never a command (see PastePolicy)
        let line = editor.text
        let command: ChatCommand?
        do {
            command = try ChatCommand.parse(line)
        } catch {
            append(.error, VisibleText.sanitize(error.message))
            return []
        }
        guard let command else { return [] }
        let (effects, consumed) = execute(command)
        if consumed {
            history.record(line)
            editor.clear()
            scrollToBottom()
        }
        return effects
    }
}
