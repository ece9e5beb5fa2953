import Dispatch
import Foundation

/// Suspends until one of the given signals arrives (their default action is disabled while waiting).
enum SignalWaiter {
    static func wait(for signals: [Int32]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumed = ResumeOnce(continuation)
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { resumed.resume() }
                source.resume()
                Sources.keep(source)
            }
        }
    }

    /// Keeps signal sources alive for the life of the process.
    private enum Sources {
        nonisolated(unsafe) static var all: [any DispatchSourceSignal] = []
        static let lock = NSLock()
        static func keep(_ source: any DispatchSourceSignal) {
            lock.withLock { all.append(source) }
        }
    }

    /// Resumes a continuation at most once, from whichever signal comes first.
    private final class ResumeOnce: @unchecked Sendable {
        private var continuation: CheckedContinuation<Void, Never>?
        private let lock = NSLock()
        init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
        func resume() {
            lock.withLock {
                continuation?.resume()
                continuation = nil
            }
        }
    }
}
