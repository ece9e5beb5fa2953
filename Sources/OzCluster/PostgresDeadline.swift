import NIOConcurrencyHelpers

/// Bounds how long the node waits for PostgreSQL. postgres-nio can leave a query waiting forever when its connection
/// is closed under it (seen here with `pg_ctl restart -m fast` under load: a writer's transaction never returned, and
/// every later operation of the node queued behind it; upstream's fix, vapor/postgres-nio#487, was reverted in #501).
/// The operation runs in a task of its own; past `limit` the caller gets `ClusterFailure` (and treats the connection
/// as lost) while the stuck task, if it never ends, is left behind.
enum PostgresDeadline {
    /// The longest a transaction, a read or a reconnect may take before the connection is taken for dead.
    static let standard: Duration = .seconds(15)

    /// `abandon`, if given, receives a closure that gives up on the operation at once (the node saw the connection
    /// drop: no need to wait for the deadline).
    static func run<T: Sendable>(
        _ what: String, within limit: Duration = standard, abandon: ((@escaping @Sendable () -> Void) -> Void)? = nil,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            abandon?({ race.finish(.failure(ClusterFailure("the connection to PostgreSQL was lost (\(what))"))) })
            let work = Task { race.finish(await Result(catching: operation)) }
            let timer = Task {
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return }
                work.cancel()
                race.finish(.failure(ClusterFailure("PostgreSQL did not answer within \(limit) (\(what))")))
            }
            race.onFinish { timer.cancel() }
        }
    }

    /// Resumes its continuation once, with whichever result comes first.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var finished = false
            var cleanup: (@Sendable () -> Void)?
        }
        private let state = NIOLockedValueBox(State())

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLockedValue { $0.continuation = continuation }
        }

        func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
            let runNow = state.withLockedValue { state -> Bool in
                if state.finished { return true }
                state.cleanup = cleanup
                return false
            }
            if runNow { cleanup() }
        }

        func finish(_ result: Result<T, any Error>) {
            let (continuation, cleanup) = state.withLockedValue { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
                guard !state.finished else { return (nil, nil) }
                state.finished = true
                defer { (state.continuation, state.cleanup) = (nil, nil) }
                return (state.continuation, state.cleanup)
            }
            continuation?.resume(with: result)
            cleanup?()
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
