import Foundation

/// Async work started from ozchat's synchronous main thread, which blocks until it is done.
///
/// The command is synchronous on purpose: an `async` main makes the runtime end the main thread with `dispatch_main`,
/// whose `pthread_exit` unwinds the main stack through the binary's unwind tables (most of a megabyte resident, for
/// nothing). The main thread is not one of Swift concurrency's threads, so blocking it takes nothing from the pool.
enum MainThreadWait {
    /// Runs `work` as a task and waits for its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                outcome.result = .success(try await work())
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try outcome.result!.get()
    }

    /// Runs `work`, which cannot fail, as a task and waits for it.
    static func run(_ work: @escaping @Sendable () async -> Void) {
        _ = try? run { () async throws in await work() }
    }

    /// Runs `work`, which cannot fail, as a task and waits for its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        // The throwing overload only rethrows what `work` throws, and it throws nothing.
        try! run { () async throws -> T in await work() }
    }

    /// The task's result, written by the task before it signals and read by the waiter after.
    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }
}
