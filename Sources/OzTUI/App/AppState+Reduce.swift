import Foundation
import OzClient
import OzProtocol

extension AppState {
    /// Applies one action and returns the work the runtime must do.
    public mutating func reduce(_ action: AppAction) -> [AppEffect] {
        var effects = apply(action)
        // The editors keep their horizontal scroll position between frames (readline-like), so lay them out here,
        // on the stored values, after anything that may have moved a cursor or changed the width.
        switch action {
        case .key, .resize:
            _ = editor.layout(width: max(1, size.columns - 2))
            if var form {
                let index = form.focus.rawValue
                _ = form.editors[index].layout(width: FormView.fieldWidth(in: layout.log), masked: form.focus.isMasked)
                self.form = form
            }
        default: break
        }
        // Unloaded stored messages coming near the view (it moved) are fetched again.
        switch action {
        case .key, .resize: effects += refillNearView()
        default: break
        }
        return effects
    }

    private mutating func apply(_ action: AppAction) -> [AppEffect] {
        switch action {
        case .client(let event):
            return apply(event, in: shown.id)
        case .room(let id, let event):
            return apply(event, in: id)
        case .key(let key):
            return handle(key)
        case .resize(let size):
            self.size = size
            clampScroll()
            return []
        case .tick(let now, let date):
            self.now = now
            self.date = date
            return []
        case .notice(let text, let window):
            _ = inWindow(window ?? shown.id) { $0.info(text) }
            return []
        case .savedRoomResolved(let window, let result):
            return inWindow(window) { state in
                switch result {
                case .success(let credentials):
                    state.credentials = credentials
                    return [.connect(credentials, window: window)]
                case .failure(let error):
                    state.append(.error, VisibleText.sanitize("cannot open \(state.windows[state.acting].label): \(error)"))
                    return []
                }
            } ?? []
        }
    }

    /// Whether the screen shows something that changes with time alone (a retry countdown).
    public var needsTicks: Bool { connection?.retry != nil }

    // MARK: client events

    /// A room's event, applied to its window (nothing when the window has closed); a page of history may bring
    /// unloaded lines near the view, which are then fetched again.
    private mutating func apply(_ event: OzClientEvent, in window: WindowID) -> [AppEffect] {
        inWindow(window) { state in
            let ring = state.apply(event)
            var effects: [AppEffect] = ring ? [.bell] : []
            if case .history = event { effects += state.refillNearView() }
            return effects
        } ?? []
    }

    /// Applies a room's event to the acting window; true when it should ring the bell.
    mutating func apply(_ event: OzClientEvent) -> Bool {
        switch event {
        case .connectionState(let state):
            connection = state
            switch state {
            case .accessGranted(let number, let room):
                myNumber = number
                (historyLoading, historyRefill) = (false, nil)
                syncing = (0, 0)
                self.room = room
                append(.state(wireName: state.wireName), "ACCESS_GRANTED: you are \(VisibleText.sanitize(number)) in \(VisibleText.sanitize(room))")
            case .connecting(let attempt, let server):
                myNumber = nil
                self.server = server
                var notes = server.count > 1 ? ["\(server.index + 1) of \(server.count)"] : []
                if attempt > 0 { notes.append("retry \(attempt)") }
                let text = "CONNECTING to \(VisibleText.sanitize(windows[acting].written(server)))"
                append(.state(wireName: state.wireName), notes.isEmpty ? text : text + " (\(notes.joined(separator: ", ")))")
            case .accessDenied(let reason):
                myNumber = nil
                append(.state(wireName: state.wireName), "ACCESS_DENIED: \(VisibleText.sanitize(reason))")
                form = CredentialsForm(credentials: credentials, focus: .token, message: "Access denied: \(VisibleText.sanitize(reason))")
            case .connectionFailed, .connectionClosed:
                myNumber = nil
                var text = VisibleText.sanitize(state.description)
                if let retry = state.retry { text += String(format: " (retrying in %.1fs)", retry.delay.seconds) }
                append(.state(wireName: state.wireName), text)
            }
        case .clientState(let info) where syncing != nil:
            // Part of a grant's snapshot: the roster takes it silently; the log gets one summary line at the end.
            let wasHere = roster[phoneNumber: info.phoneNumber] != nil
            roster.apply(change: info)
            if info.status == .offline { syncing?.left += 1 } else if !wasHere { syncing?.joined += 1 }
        case .rosterSynced(let peers):
            let changes = syncing ?? (0, 0)
            syncing = nil
            var text = peers == 1 ? "1 peer here" : "\(peers) peers here"
            if changes.left > 0 { text += ", \(changes.left) left while you were away" }
            append(.state(wireName: "ACCESS_GRANTED"), text)
            clampRosterScroll()
        case .roomLeft(let peers):
            // We left for another room: its peers are not shown any more, and none of them "left" (we did).
            roster = Roster()
            rosterScroll = 0
            syncing = nil
            if let room, !peers.isEmpty {
                info(peers.count == 1 ? "left \(room): 1 peer no longer shown" : "left \(room): \(peers.count) peers no longer shown")
            }
            room = nil
            (historyOldestID, historyMore, historyLoading) = (nil, false, false)
            forgetUnloaded()
        case .clientState(let info):
            roster.apply(change: info)
            logPresence("\(VisibleText.sanitize(info.displayName)) (\(VisibleText.sanitize(info.phoneNumber)))", online: info.status == .online)
            clampRosterScroll()
        case .message(let message):
            // Our own echo: the pending line becomes the delivered message.
            if let nonce = message.nonce, confirm(nonce) { return false }
            let own = message.from == myNumber
            let nick = own ? credentials.nickname : roster[phoneNumber: message.from]?.displayName ?? PlainFormatter.senderName(message)
            let target = message.isRoomMessage ? nil : (roster[phoneNumber: message.to]?.displayName ?? message.to)
            append(
                .message(
                    nick: VisibleText.sanitize(nick), colorKey: nick, isPrivate: !message.isRoomMessage,
                    privateTarget: own ? target.map(VisibleText.sanitize) : nil, isOwn: own),
                VisibleText.sanitize(message.text))
            return noteMessage(own: own, text: message.text)
        case .error(let code, let message):
            // An older page the gateway cannot find (its store lost it) ends paging instead of waiting for good.
            if code == .unknownMessage, historyLoading {
                historyLoading = false
                historyMore = false
            } else if code == .unknownMessage, let before = historyRefill {
                refillFailed(before: before)
            }
            append(.error, "\(VisibleText.sanitize(code.rawValue)): \(VisibleText.sanitize(message))")
        case .history(let batch):
            applyHistory(batch)
        case .gap:
            append(.error, "some messages were missed while the connection was down")
        case .pending(let message):
            addPending(message)
        case .confirmed(let nonce):
            confirm(nonce)
        case .undelivered(let message, let reason):
            markUndelivered(message, reason: reason)
        }
        return false
    }

    // MARK: scrolling

    /// Scrolls the log `lines` rows towards the oldest (negative: towards the newest).
    mutating func scroll(by lines: Int) {
        let scroller = logScroller
        if let anchor = scrollAnchor.flatMap(scroller.valid) ?? scroller.bottom {
            scrollAnchor = lines > 0 ? scroller.up(anchor, by: lines).anchor : scroller.down(anchor, by: -lines).anchor
        }
        clampScroll()
    }

    /// Shows the oldest rows (Home on an empty input line).
    mutating func scrollToTop() {
        scrollAnchor = logScroller.top
        clampScroll()
    }

    /// Follows the newest rows again (End on an empty input line, and after sending).
    mutating func scrollToBottom() {
        scrollAnchor = nil
        unseen = 0
    }

    /// Keeps the view inside the log after the log or the layout changed; at the newest row it follows new lines.
    mutating func clampScroll() {
        if let anchor = scrollAnchor { scrollAnchor = logScroller.clamped(anchor, height: layout.log.rows) }
        if scrollAnchor == nil { unseen = 0 }
    }

    /// The log at the log pane's width.
    var logScroller: LogScroller { LogScroller(entries: log.entries, base: log.dropped, width: layout.log.columns) }

    mutating func clampRosterScroll() {
        // The roster pane is as tall as the log (all but two rows), less its header; no need for the full layout.
        let rows = max(1, size.rows - 3)
        rosterScroll = min(rosterScroll, max(0, roster.count + 1 - rows))
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
