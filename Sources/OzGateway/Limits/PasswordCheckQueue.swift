import Logging
import NIOConcurrencyHelpers

/// Bounds the slow password checks (scrypt) of extension logins: at most `capacity` of them queued or running on the
/// gateway's thread pool at once. A login that finds it full is refused ("server busy") instead of queued, so a flood
/// of extension logins costs bounded CPU, memory and delay. Thread-safe.
///
/// Refusals are logged once per busy spell: one line at the first refusal, and one when the queue has emptied again
/// with how many logins were refused meanwhile, however many there were.
final class PasswordCheckQueue: Sendable {
    let capacity: Int
    private let logger: Logger
    private let state = NIOLockedValueBox((pending: 0, refused: 0))

    init(capacity: Int, logger: Logger) {
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    /// Takes a place for one check; false means the queue is full and the login must be refused. Every `true` must be
    /// followed by one `leave()`.
    func enter() -> Bool {
        let (admitted, firstRefusal) = state.withLockedValue { state -> (Bool, Bool) in
            if state.pending < capacity {
                state.pending += 1
                return (true, false)
            }
            state.refused += 1
            return (false, state.refused == 1)
        }
        if firstRefusal {
            logger.notice("server busy", metadata: ["reason": "password checks queue full", "limit": "\(capacity)"])
        }
        return admitted
    }

    /// A check taken with `enter()` has finished (or was never run).
    func leave() {
        let refused = state.withLockedValue { state -> Int in
            state.pending = max(0, state.pending - 1)
            guard state.pending == 0 else { return 0 }
            defer { state.refused = 0 }
            return state.refused
        }
        if refused > 0 {
            logger.notice("server no longer busy", metadata: ["reason": "password checks queue drained", "refused": "\(refused)"])
        }
    }

    /// Checks queued or running.
    var pending: Int { state.withLockedValue { $0.pending } }
}
