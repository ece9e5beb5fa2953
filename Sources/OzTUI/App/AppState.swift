import Foundation
import OzClient
import OzProtocol

/// Everything the terminal UI shows, and nothing else: the reducer (`reduce`) changes it in response to actions and
/// returns effects; the renderer draws it. Neither touches a socket, a clock or the terminal.
public struct AppState: Sendable {
    public var credentials: Credentials
    /// The latest connection state (nil before the first connect).
    public var connection: ConnectionState?
    public var myNumber: String?
    public var room: String?
    /// The peers (ourselves excluded), in display order.
    public var roster = Roster()
    public var log: LogBuffer
    /// Where the log view rests when scrolled up (its bottom row); nil while it follows new lines. Scrolling moves it
    /// a screenful at a time, wrapping only what it passes (see `LogScroller`).
    public var scrollAnchor: LogAnchor?
    /// Log entries that arrived while scrolled up.
    public var unseen = 0
    public var editor = LineEditor()
    public var history = InputHistory()
    public var completion: NickCompletion?
    public var rosterVisible = true
    /// The first roster row shown.
    public var rosterScroll = 0
    /// The credentials prompt, when open.
    public var form: CredentialsForm?
    public var size: TerminalSize
    /// The time of the last tick, for the retry countdown and log timestamps.
    public var now: ContinuousClock.Instant
    public var date: Date
    public var quitting = false
    /// While a grant's snapshot is being applied: how many peers it added and removed (nil otherwise).
    var syncing: (joined: Int, left: Int)?
    /// The oldest stored message the log shows (the cursor for an older page), nil when there is none to page from.
    var historyOldestID: String?
    /// Whether the gateway has messages older than `historyOldestID`.
    var historyMore = false
    /// Whether an older page was asked for and has not come (one request at a time).
    var historyLoading = false
    /// The `before` of the unloaded line being fetched again, while its answer has not come (one request at a time).
    var historyRefill: String?
    /// Our messages not yet echoed: their log line (anchor index) by nonce.
    var pendingEntries: [String: Int] = [:]

    /// How many log lines are kept in memory unless told otherwise (`--scrollback`).
    public static let defaultScrollback = 10_000
    /// The range `--scrollback` accepts: at least a few pages of history, at most what stays quick to scroll.
    public static let scrollbackRange = 200...1_000_000

    public init(
        credentials: Credentials, size: TerminalSize, now: ContinuousClock.Instant = .now, date: Date = Date(),
        logCapacity: Int = defaultScrollback
    ) {
        self.credentials = credentials
        self.size = size
        self.now = now
        self.date = date
        self.log = LogBuffer(capacity: logCapacity)
    }

    /// Our own entry for the roster pane (shown marked), when granted.
    public var me: ClientInfo? {
        guard let myNumber else { return nil }
        return ClientInfo(phoneNumber: myNumber, status: .online, properties: credentials.properties.withoutPasswords)
    }

    /// The layout for the current size and roster visibility.
    public var layout: Layout { Layout(size: size, rosterVisible: rosterVisible, rosterNames: rosterNames) }

    /// The names the roster pane can show now: ours and the rows from the scroll position down (at most a screenful),
    /// so sizing the pane costs the same in a room of 10 or 10,000.
    var rosterNames: [String] {
        [credentials.nickname] + roster.elements(in: rosterScroll..<(rosterScroll + max(1, size.rows))).map(\.displayName)
    }

    /// Adds a line to the log; while scrolled up, the view stays where it is (its anchor) and the line counts as unseen.
    mutating func append(_ kind: LogEntry.Kind, _ text: String) {
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
