import Foundation
import OzClient
import OzProtocol

extension AppState {
    /// How many older messages one PgUp past the top asks for.
    public static let olderPageSize = 100

    /// Stored messages: a join's newest and a resume's missed ones go at the bottom, above a marker line; an older page
    /// goes at the top, replacing the "loading" line. Our pending messages found among them are confirmed, not repeated.
    mutating func applyHistory(_ batch: HistoryBatch) {
        let messages = batch.messages.filter { message in
            guard let nonce = message.nonce, pendingEntries[nonce] != nil else { return true }
            confirm(nonce)
            return false
        }
        switch batch.kind {
        case .recent, .resumed:
            if batch.kind == .recent || historyOldestID == nil {
                historyOldestID = batch.oldestID
                historyMore = batch.more
                historyLoading = false
            }
            guard !messages.isEmpty else { return }
            for message in messages { log.append(historyEntry(message)) }
            if scrollAnchor != nil { unseen += messages.count }
            let count = messages.count == 1 ? "1 message" : "\(PresenceBurst.grouped(messages.count)) messages"
            append(.marker, batch.kind == .recent ? "history above: \(count)" : "said while you were away above: \(count)")
        case .older:
            if let before = batch.before, before == historyRefill { return refill(messages, before: before) }
            guard historyLoading else { return }
            historyLoading = false
            historyMore = batch.more && batch.oldestID != nil
            if let oldest = batch.oldestID { historyOldestID = oldest }
            var older = messages.map(historyEntry)
            if !historyMore { older.insert(LogEntry(date: older.first?.date ?? date, kind: .marker, text: "beginning of history"), at: 0) }
            log.prepend(older, replacingFirst: log.entries.first.map(Self.isLoadingLine) ?? false)
        }
    }

    static let loadingText = "loading older messages…"

    static func isLoadingLine(_ entry: LogEntry) -> Bool { entry.kind == .info && entry.text == loadingText }

    /// A stored message as a log line: its own time (and date, when not today), dim, named as it was when sent.
    func historyEntry(_ message: ChatMessage) -> LogEntry {
        let own = message.from == myNumber
        let nick = own ? credentials.nickname : PlainFormatter.senderName(message)
        let date = WireTimestamp.date(from: message.ts) ?? self.date
        var entry = LogEntry(
            date: date, kind: .message(nick: VisibleText.sanitize(nick), colorKey: nick, isPrivate: false, privateTarget: nil, isOwn: own),
            text: VisibleText.sanitize(message.text), origin: .history, id: message.isRoomMessage ? message.id : nil,
            today: self.date)
        // Drawn highlighted like a live one that names us; counted nowhere (history adds no activity).
        entry.highlight = !own && alerts.highlights(message.text, nickname: credentials.nickname)
        return entry
    }

    /// PgUp that reaches the oldest line asks for the page before it (one request at a time), while the gateway has
    /// more; a "loading" line at the top shows it is coming. A full log first unloads stored messages far below the view
    /// (`unloadBelowView`); only a log with none to unload stops paging.
    mutating func loadOlderIfAtTop() -> [AppEffect] {
        guard historyMore, !historyLoading, historyRefill == nil, case .accessGranted = connection, let oldest = historyOldestID else {
            return []
        }
        let scroller = logScroller
        // The view's top row is the log's first when its bottom row cannot move a whole view's height up.
        let rows = max(1, layout.log.rows)
        if let anchor = scrollAnchor.flatMap(scroller.valid) ?? scroller.bottom, scroller.up(anchor, by: rows).moved >= rows { return [] }
        let overflow = log.count + Self.olderPageSize - log.capacity
        guard overflow <= 0 || unloadBelowView(toFit: overflow + Self.olderPageSize) else {
            historyMore = false
            log.prepend([LogEntry(date: date, kind: .marker, text: "the scrollback is full: older messages are not loaded")])
            return []
        }
        historyLoading = true
        log.prepend([LogEntry(date: date, kind: .info, text: Self.loadingText)])
        return [.requestHistory(before: oldest, window: actingID)]
    }

    /// Our message as sent: shown at once, dim with a trailing `…`, until its echo.
    mutating func addPending(_ message: OutgoingMessage) {
        let target = message.isRoomMessage ? nil : (roster[phoneNumber: message.to]?.displayName ?? message.to)
        append(
            .message(
                nick: VisibleText.sanitize(credentials.nickname), colorKey: credentials.nickname, isPrivate: !message.isRoomMessage,
                privateTarget: target.map(VisibleText.sanitize), isOwn: true),
            VisibleText.sanitize(message.text))
        log.updateLast { $0.origin = .pending }
        pendingEntries[message.nonce] = log.lastIndex
    }

    /// The pending line with this nonce is delivered; false when there is none.
    @discardableResult
    mutating func confirm(_ nonce: String) -> Bool {
        guard let index = pendingEntries.removeValue(forKey: nonce) else { return false }
        log.update(at: index) { $0.origin = .live }
        return true
    }

    /// The pending line with this nonce will not be delivered: marked, and the reason logged.
    mutating func markUndelivered(_ message: OutgoingMessage, reason: String) {
        if let index = pendingEntries.removeValue(forKey: message.nonce) { log.update(at: index) { $0.origin = .undelivered } }
        append(.error, "not delivered: \(VisibleText.sanitize(message.text)) (\(VisibleText.sanitize(reason)))")
    }
}
