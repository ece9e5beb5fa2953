import Foundation
import OzClient
import OzProtocol

/// Everything the terminal UI shows, and nothing else: the reducer (`reduce`) changes it in response to actions and
/// returns effects; the renderer draws it. Neither touches a socket, a clock or the terminal.
public struct AppState: Sendable {
    /// The open rooms, in window order (window 1 first).
    public internal(set) var windows: [RoomWindow]
    /// The index of the window shown.
    public internal(set) var current = 0
    /// The index of the window the reducer is working on: the shown one, or a background room whose event it applies.
    /// Every per-room property (`log`, `roster`, …) reads and writes this window.
    var acting = 0
    /// The next window's id.
    var nextWindowID = 2
    public var editor = LineEditor()
    public var completion: NickCompletion?
    public var rosterVisible = true
    /// The credentials prompt, when open (it acts on the shown window's room).
    public var form: CredentialsForm?
    public var size: TerminalSize
    /// The time of the last tick, for the retry countdown and log timestamps.
    public var now: ContinuousClock.Instant
    public var date: Date
    public var quitting = false
    /// What highlights a message and when the bell rings.
    public var alerts = AlertSettings()
    /// The saved rooms `/join NAME` can open: name → its servers (from the config file).
    public var savedRooms: [String: [String]] = [:]
    /// The Ctrl-R search of the shown window's log, while it runs.
    public var search: LogSearch?
    /// ESC was pressed alone: the next key acts as with Alt (terminals that send Meta as ESC).
    var escapePending = false
    let logCapacity: Int

    /// How many log lines are kept in memory unless told otherwise (`--scrollback`).
    public static let defaultScrollback = 10_000
    /// The range `--scrollback` accepts: at least a few pages of history, at most what stays quick to scroll.
    public static let scrollbackRange = 200...1_000_000

    /// A state with one window, for `credentials`.
    public init(
        credentials: Credentials, size: TerminalSize, now: ContinuousClock.Instant = .now, date: Date = Date(),
        logCapacity: Int = defaultScrollback
    ) {
        self.init(rooms: [(nil, credentials)], size: size, now: now, date: date, logCapacity: logCapacity)
    }

    /// A state with one window per room, in order (`savedName` labels a saved room's window); the first is shown.
    public init(
        rooms: [(savedName: String?, credentials: Credentials)], size: TerminalSize, now: ContinuousClock.Instant = .now,
        date: Date = Date(), logCapacity: Int = defaultScrollback
    ) {
        precondition(!rooms.isEmpty, "a state needs a window")
        self.size = size
        self.now = now
        self.date = date
        self.logCapacity = logCapacity
        windows = rooms.enumerated().map { index, room in
            RoomWindow(id: WindowID(index + 1), savedName: room.savedName, credentials: room.credentials, logCapacity: logCapacity)
        }
        nextWindowID = rooms.count + 1
    }

    /// The window shown.
    public var shown: RoomWindow { windows[current] }

    /// The id of the window the reducer is working on (effects it returns act on that window's room).
    var actingID: WindowID { windows[acting].id }

    /// Whether the reducer is working on a window that is not shown.
    var actingInBackground: Bool { acting != current }

    // MARK: the acting window's room (see `acting`)

    public var credentials: Credentials {
        get { windows[acting].credentials }
        _modify { yield &windows[acting].credentials }
    }
    /// The latest connection state (nil before the first connect).
    public var connection: ConnectionState? {
        get { windows[acting].connection }
        _modify { yield &windows[acting].connection }
    }
    /// Which of the room's servers was tried last (nil before the first connect).
    public var server: ServerChoice? {
        get { windows[acting].server }
        _modify { yield &windows[acting].server }
    }
    /// The server tried last as the status bar names it (see ``RoomWindow/serverText``).
    public var serverText: String { windows[acting].serverText }
    public var myNumber: String? {
        get { windows[acting].myNumber }
        _modify { yield &windows[acting].myNumber }
    }
    public var room: String? {
        get { windows[acting].room }
        _modify { yield &windows[acting].room }
    }
    /// The peers (ourselves excluded), in display order.
    public var roster: Roster {
        get { windows[acting].roster }
        _modify { yield &windows[acting].roster }
    }
    public var log: LogBuffer {
        get { windows[acting].log }
        _modify { yield &windows[acting].log }
    }
    /// Where the log view rests when scrolled up (its bottom row); nil while it follows new lines. Scrolling moves it
    /// a screenful at a time, wrapping only what it passes (see `LogScroller`).
    public var scrollAnchor: LogAnchor? {
        get { windows[acting].scrollAnchor }
        _modify { yield &windows[acting].scrollAnchor }
    }
    /// Log entries that arrived while scrolled up.
    public var unseen: Int {
        get { windows[acting].unseen }
        _modify { yield &windows[acting].unseen }
    }
    public var history: InputHistory {
        get { windows[acting].history }
        _modify { yield &windows[acting].history }
    }
    /// The first roster row shown.
    public var rosterScroll: Int {
        get { windows[acting].rosterScroll }
        _modify { yield &windows[acting].rosterScroll }
    }
    /// While a grant's snapshot is being applied: how many peers it added and removed (nil otherwise).
    var syncing: (joined: Int, left: Int)? {
        get { windows[acting].syncing }
        _modify { yield &windows[acting].syncing }
    }
    /// The oldest stored message the log shows (the cursor for an older page), nil when there is none to page from.
    var historyOldestID: String? {
        get { windows[acting].historyOldestID }
        _modify { yield &windows[acting].historyOldestID }
    }
    /// Whether the gateway has messages older than `historyOldestID`.
    var historyMore: Bool {
        get { windows[acting].historyMore }
        _modify { yield &windows[acting].historyMore }
    }
    /// Whether an older page was asked for and has not come (one request at a time).
    var historyLoading: Bool {
        get { windows[acting].historyLoading }
        _modify { yield &windows[acting].historyLoading }
    }
    /// The `before` of the unloaded line being fetched again, while its answer has not come (one request at a time).
    var historyRefill: String? {
        get { windows[acting].historyRefill }
        _modify { yield &windows[acting].historyRefill }
    }
    /// Our messages not yet echoed: their log line (anchor index) by nonce.
    var pendingEntries: [String: Int] {
        get { windows[acting].pendingEntries }
        _modify { yield &windows[acting].pendingEntries }
    }

    /// Our own entry for the roster pane (shown marked), when granted.
    public var me: ClientInfo? {
        guard let myNumber else { return nil }
        return ClientInfo(phoneNumber: myNumber, status: .online, properties: credentials.properties.withoutPasswords)
    }

    /// The layout for the current size and roster visibility.
    public var layout: Layout {
        Layout(size: size, rosterVisible: rosterVisible, rosterNames: rosterNames, roomBar: windows.count > 1)
    }

    /// The names the roster pane can show now: ours and the rows from the scroll position down (at most a screenful),
    /// so sizing the pane costs the same in a room of 10 or 10,000.
    var rosterNames: [String] {
        [credentials.nickname] + roster.elements(in: rosterScroll..<(rosterScroll + max(1, size.rows))).map(\.displayName)
    }

    /// Adds a line to the log; while scrolled up, the view stays where it is (its anchor) and the line counts as unseen.
    mutating func append(_ kind: LogEntry.Kind, _ text: String) {
        markNewIfLeft()
        let dropped = log.dropped
        log.append(LogEntry(date: date, kind: kind, text: text))
        if scrollAnchor != nil { unseen += 1 }
        // The oldest lines made room (the log keeps its capacity): older pages would no longer join up with the rest.
        if log.dropped != dropped { historyMore = false }
    }

    /// Logs a join or leave: into the last line when that is a presence burst begun within `PresenceBurst.window`,
    /// otherwise as a new line. A burst that grows to more rows keeps a scrolled-up view still (it grows below the
    /// view's anchor).
    mutating func logPresence(_ label: @autoclosure () -> String, online: Bool) {
        if let last = log.entries.last, case .presence(var burst) = last.kind, date.timeIntervalSince(last.date) < PresenceBurst.window {
            burst.add(label(), online: online)
            log.updateLast { $0.kind = .presence(burst) }
            return
        }
        append(.presence(PresenceBurst(label(), online: online)), "")
    }

    mutating func info(_ text: String) { append(.info, VisibleText.sanitize(text)) }
}
