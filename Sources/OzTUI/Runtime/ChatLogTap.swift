import Foundation
import OzClient
import OzProtocol

/// Feeds each room's conversation to the chat log (`ChatLogWriter`) as `--plain` lines: one formatter per window, so
/// nicknames resolve as in that room. A room's directory is its saved name, or `HOST_PORT_ROOM` once granted (what
/// comes before a first grant of an unsaved room is not logged). Not logged: a grant's snapshot of who is there (one
/// line per peer on every reconnect) and stored messages fetched on joining or scrolling back (said before, and logged
/// then); what was said while the connection was down is.
struct ChatLogTap {
    let writer: ChatLogWriter
    private var formatters: [WindowID: PlainFormatter] = [:]

    init(writer: ChatLogWriter) {
        self.writer = writer
    }

    /// Logs a room's event, after the reducer applied it to `state`.
    mutating func record(_ event: OzClientEvent, window id: WindowID, state: AppState, date: Date) {
        guard let window = state.windows.first(where: { $0.id == id }) else {
            formatters[id] = nil
            return
        }
        // Every event goes through the formatter, so it knows who is there (a snapshot's peers name later messages,
        // private ones too, which carry no sender properties); only some are written.
        // In place: a formatter copied out of the dictionary would copy its table of peers on every event (a
        // 50,000-peer snapshot then took minutes).
        formatters[id, default: PlainFormatter(myNick: window.credentials.nickname)].myNick = window.credentials.nickname
        let lines = formatters[id, default: PlainFormatter(myNick: window.credentials.nickname)].lines(for: event, at: date)
        switch event {
        case .clientState where window.syncing != nil: return
        case .history(let batch) where batch.kind != .resumed: return
        default: break
        }
        guard let directory = Self.directory(window) else { return }
        for line in lines { writer.append(date: date, room: directory, line: line) }
    }

    /// The window's log directory name: its saved room's name, or `HOST_PORT_ROOM` once a room was granted.
    static func directory(_ window: RoomWindow) -> String? {
        if let saved = window.savedName { return saved }
        guard let room = window.room, let address = try? ServerAddress(parsing: window.credentials.server) else { return nil }
        return ChatLogName.directory(host: address.host, port: address.port, room: room)
    }
}
