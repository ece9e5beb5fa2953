import Dispatch
import Foundation

/// Catches the given signals from the moment it is created (their default action is disabled), so a signal that
/// arrives during start-up is not lost. `wait()` returns once one has arrived (or when its task is cancelled), and
/// `onSignal`, if given, runs on each one. Used by `ozgate` and `ozchat` for a graceful quit on SIGINT/SIGTERM.
public final class SignalWaiter: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var arrived = false
    private var continuation: CheckedContinuation<Void, Never>?

    /// The signals are also unblocked in the calling thread: a mask inherited from whatever started the process
    /// (e.g. a test runner's pool thread) would otherwise keep them from ever being delivered.
    public init(_ signals: [Int32], onSignal: (@Sendable () -> Void)? = nil) {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in signals { sigaddset(&unblocked, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                onSignal?()
                self?.fire()
            }
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

    /// Suspends until one of the signals has arrived (at once if one already has), or the task is cancelled.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock {
                    if !arrived, !Task.isCancelled { self.continuation = continuation }
                    return arrived || Task.isCancelled
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            fire()
        }
    }

    /// Stops catching the signals (their actions stay ignored).
    public func cancel() {
        for source in sources { source.cancel() }
    }
}
