import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a graceful quit for `--plain` mode.
final class PlainSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var arrived = false
    private var continuation: CheckedContinuation<Void, Never>?

    init() {
        for number in [SIGINT, SIGTERM] {
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

    /// Returns once a signal has arrived; returns early if the task is cancelled.
    func wait() async {
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
}
