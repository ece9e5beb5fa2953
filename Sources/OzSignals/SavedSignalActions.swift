#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The actions of some signals, saved to be put back later.
///
/// A signal source does not give a signal back when it is cancelled: on Linux, libdispatch (under `UnixSignals`)
/// installs a handler of its own the first time it watches a signal and never removes it, so after the source is gone
/// the signal is still caught and then dropped, and a later SIGINT no longer stops the program. Whoever stops watching
/// a signal puts its earlier action back with `restore()`.
public struct SavedSignalActions: @unchecked Sendable {  // sigaction values: plain data, never mutated after init
    private let saved: [(signal: Int32, action: sigaction)]

    /// Saves the current action of each of `signals`.
    public init(_ signals: [Int32]) {
        saved = signals.map { number in
            var action = sigaction()
            sigaction(number, nil, &action)
            return (number, action)
        }
    }

    /// Puts every saved action back.
    public func restore() {
        for (number, action) in saved {
            var action = action
            sigaction(number, &action, nil)
        }
    }
}
