import Foundation
import OzClient
import OzProtocol

/// Everything that can change the UI's state: the client's events, keys, resizes, and the clock.
public enum AppAction: Sendable {
    case client(OzClientEvent)
    case key(Key)
    case resize(TerminalSize)
    /// Time passes (drives the retry countdown); `date` stamps log lines.
    case tick(now: ContinuousClock.Instant, date: Date)
    /// A local notice from the runtime (e.g. a send that failed before reaching the gateway).
    case notice(String)
}

/// Work the reducer asks the runtime to do; the reducer itself touches no socket, clock or terminal.
public enum AppEffect: Sendable, Equatable {
    case connect(Credentials)
    case disconnect
    case send(text: String, to: String)
    /// Ask for the `limit` stored room messages before this id (PgUp past the oldest line, or unloaded ones coming
    /// into view again).
    case requestHistory(before: String, limit: Int = AppState.olderPageSize)
    case quit
}
