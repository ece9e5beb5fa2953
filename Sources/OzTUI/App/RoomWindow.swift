import Foundation
import OzClient
import OzProtocol

/// Names a window for as long as it is open: effects and client events carry it, so an event from a room whose window
/// moved (another closed before it) or closed still finds its window, or none.
public struct WindowID: Sendable, Hashable, CustomStringConvertible {
    public let raw: Int

    public init(_ raw: Int) { self.raw = raw }

    /// The window a state made with one room starts with.
    public static let first = WindowID(1)

    public var description: String { "w\(raw)" }
}

/// One room's window: its session's state, log, roster, scroll position and input history. `AppState` holds one per
/// open room and shows one at a time; the reducer applies each room's events to its own window.
public struct RoomWindow: Sendable {
    public let id: WindowID
    /// The saved room's name (from the config file), which labels the window; nil for a room opened with SERVER TOKEN.
    public var savedName: String?
    public var credentials: Credentials
    /// The latest connection state (nil before the first connect).
    public var connection: ConnectionState?
    /// Which of the room's servers was tried last: the one connecting, granted, or lost (nil before the first connect).
    public var server: ServerChoice?
    public var myNumber: String?
    /// The room the gateway granted.
    public var room: String?
    /// The peers (ourselves excluded), in display order.
    public var roster = Roster()
    public var log: LogBuffer
    /// Where the log view rests when scrolled up (its bottom row); nil while it follows new lines.
    public var scrollAnchor: LogAnchor?
    /// Log entries that arrived while scrolled up.
    public var unseen = 0
    public var history = InputHistory()
    /// The first roster row shown.
    public var rosterScroll = 0
    /// Chat messages that arrived while the window was not shown (the room bar's count).
    public var activity = 0
    /// Messages naming us that arrived while the window was not shown.
    public var highlights = 0
    /// The anchor index of the "new" marker line, when the window holds one.
    var newMarker: Int?
    /// Left since last shown: the next line logged puts the "new" marker above it.
    var markNewOnNextLine = false
    var syncing: (joined: Int, left: Int)?
    var historyOldestID: String?
    var historyMore = false
    var historyLoading = false
    var historyRefill: String?
    var pendingEntries: [String: Int] = [:]

    public init(id: WindowID, savedName: String? = nil, credentials: Credentials, logCapacity: Int) {
        self.id = id
        self.savedName = savedName
        self.credentials = credentials
        self.log = LogBuffer(capacity: logCapacity)
    }

    /// The room bar's label: the saved room's name, else the granted room's, else the server.
    public var label: String {
        VisibleText.sanitize(savedName ?? room ?? credentials.server)
    }

    /// A server of the room as the user wrote it (`ws://127.0.0.1:7779/` stays so), else as parsed.
    public func written(_ choice: ServerChoice) -> String {
        let servers = credentials.servers
        guard choice.index < servers.count, (try? ServerAddress(parsing: servers[choice.index])) == choice.address else {
            return choice.address.shortText
        }
        return servers[choice.index]
    }

    /// The server tried last, as written, and `(2 of 3)` when the room has several; before any connect, the first.
    public var serverText: String {
        guard let server else { return credentials.server }
        return server.count > 1 ? "\(written(server)) (\(server.index + 1) of \(server.count))" : written(server)
    }

    /// Whether the session is granted (the room bar dims a window that is not).
    public var isConnected: Bool {
        if case .accessGranted = connection { return true }
        return false
    }
}
