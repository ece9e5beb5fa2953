import Dispatch
import Foundation

/// Catches the given signals from the moment it is created (their default action is disabled), so a signal that arrives
/// while the gateway is still starting is not lost; `wait()` returns once one has arrived.
final class SignalWaiter: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var arrived = false
    private var continuation: CheckedContinuation<Void, Never>?

    init(_ signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
            sources.append(source)
        }
    }

    private func fire() {
        let waiting = lock.withLock {
            arrived = true
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume()
    }

    /// Suspends until one of the signals has arrived (returns at once if one already has).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = lock.withLock {
                if !arrived { self.continuation = continuation }
                return arrived
            }
            if already { continuation.resume() }
        }
    }
}
