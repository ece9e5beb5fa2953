import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT and SIGTERM, the signals that ask a program to quit, caught as an async sequence (`UnixSignals`) from
/// `trap()` on, so one that arrives during start-up waits for `next()` instead of ending the program.
///
/// `next()` returns the signal that arrived, or nil when its task was cancelled: a cancelled wait is not a signal.
/// `release()` gives both signals their earlier actions back (see `SavedSignalActions`).
public final class QuitSignals: Sendable {
    /// The signals caught.
    public static let numbers: [Int32] = [SIGINT, SIGTERM]

    private let signals: UnixSignalsSequence
    private let saved: SavedSignalActions

    private init(signals: UnixSignalsSequence, saved: SavedSignalActions) {
        self.signals = signals
        self.saved = saved
    }

    /// Starts catching SIGINT and SIGTERM; returns once the catching is in place.
    public static func trap() async -> QuitSignals {
        let saved = SavedSignalActions(numbers)
        return QuitSignals(signals: await UnixSignalsSequence(trapping: .sigint, .sigterm), saved: saved)
    }

    /// Waits for the first signal (at once if one has already arrived); nil if the task is cancelled first.
    /// Call it once: the sequence under it has a single iterator.
    public func next() async -> UnixSignal? {
        for await signal in signals { return signal }
        return nil
    }

    /// Gives SIGINT and SIGTERM their earlier actions back; signals that arrive after it are no longer caught.
    public func release() {
        saved.restore()
    }
}
