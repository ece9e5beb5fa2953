import Foundation
import OzClient
import OzProtocol

/// Everything that can change the UI's state: the client's events, keys, resizes, and the clock.
public enum AppAction: Sendable {
    /// An event of the shown window's room.
    case client(OzClientEvent)
    /// An event of one window's room (the runtime runs one client per window).
    case room(WindowID, OzClientEvent)
    case key(Key)
    case resize(TerminalSize)
    /// Time passes (drives the retry countdown); `date` stamps log lines.
    case tick(now: ContinuousClock.Instant, date: Date)
    /// A local notice from the runtime (e.g. a send that failed before reaching the gateway), for a window's room (nil:
    /// the shown window).
    case notice(String, window: WindowID? = nil)
    /// A saved room's credentials, read for its window (its token and password commands ran), or why they could not be.
    case savedRoomResolved(WindowID, Result<Credentials, SavedRoomError>)
}

/// Work the reducer asks the runtime to do; the reducer itself touches no socket, clock or terminal.
/// Why a saved room's credentials could not be read (shown in its window).
public struct SavedRoomError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Each room effect names the window whose room it acts on (`.first` in a state with one window).
public enum AppEffect: Sendable, Equatable {
    case connect(Credentials, window: WindowID = .first)
    case disconnect(window: WindowID = .first)
    case send(text: String, to: String, window: WindowID = .first)
    /// Ask for the `limit` stored room messages before this id (PgUp past the oldest line, or unloaded ones coming
    /// into view again).
    case requestHistory(before: String, limit: Int = AppState.olderPageSize, window: WindowID = .first)
    /// The window closed: its room's client leaves and ends.
    case close(window: WindowID)
    /// Read the saved room `name`'s credentials (running its token and password commands) for its new window; the
    /// answer comes back as `AppAction.savedRoomResolved`.
    case resolveSaved(name: String, window: WindowID)
    /// Ring the terminal bell (a highlight, or any message, in a window not on screen; see `AlertSettings.Bell`).
    case bell
    case quit
}
