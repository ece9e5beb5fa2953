import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import OzGateway
import PostgresNIO

/// The node's one writer: operations queue here from any thread and are committed in batches, one transaction each, in
/// the order they came (group commit: while one transaction commits, the next batch gathers). A batch that cannot be
/// committed fails every operation in it (`unavailable`) and tells the node its connection is gone.
final class ClusterWriter: Sendable {
    /// Most operations in one transaction.
    static let maxBatch = 512

    private struct State {
        var queue: [ClusterOperation] = []
        var waiting: CheckedContinuation<Void, Never>?
        var connection: PostgresConnection?
        /// Gives up on the transaction in flight (its connection is gone).
        var abandon: (@Sendable () -> Void)?
    }

    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    /// Committed events, in commit order, with the replies already made.
    private let committed: @Sendable ([ClusterEvent]) -> Void
    private let lost: @Sendable (any Error) -> Void
    private let metrics: GatewayMetrics

    init(
        logger: Logger, metrics: GatewayMetrics, committed: @escaping @Sendable ([ClusterEvent]) -> Void,
        lost: @escaping @Sendable (any Error) -> Void
    ) {
        self.logger = logger
        self.metrics = metrics
        self.committed = committed
        self.lost = lost
    }

    /// Queues an operation; without a connection it fails at once.
    func submit(_ operation: ClusterOperation) {
        let (accepted, waiter) = state.withLockedValue { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.connection != nil else { return (false, nil) }
            state.queue.append(operation)
            defer { state.waiting = nil }
            return (true, state.waiting)
        }
        if !accepted { operation.fail() }
        waiter?.resume()
    }

    /// Uses `connection` from now on (nil: none, and what is queued fails).
    func use(_ connection: PostgresConnection?) {
        let (failed, abandon) = state.withLockedValue { state -> ([ClusterOperation], (@Sendable () -> Void)?) in
            state.connection = connection
            guard connection == nil else { return ([], nil) }
            defer {
                state.queue.removeAll()
                state.abandon = nil
            }
            return (state.queue, state.abandon)
        }
        for operation in failed { operation.fail() }
        abandon?()
    }

    /// Commits batches until cancelled.
    func run() async {
        while !Task.isCancelled {
            let next = await nextBatch()
            guard let (connection, batch) = next else { continue }
            do {
                let started = ContinuousClock.now
                let logger = self.logger
                let state = self.state
                // Given up on when the node drops this connection (or already has), else after the deadline.
                let register = { (abandon: @escaping @Sendable () -> Void) in
                    let gone = state.withLockedValue { state -> Bool in
                        guard state.connection === connection else { return true }
                        state.abandon = abandon
                        return false
                    }
                    if gone { abandon() }
                }
                defer { state.withLockedValue { $0.abandon = nil } }
                let (events, replies) = try await PostgresDeadline.run("a transaction of \(batch.count) operations", abandon: register) {
                    try await ClusterBatch.commit(batch, on: connection, logger: logger)
                }
                metrics.storeWrite.record(elapsed: ContinuousClock.now - started)
                for reply in replies { reply() }
                if !events.isEmpty { committed(events) }
            } catch {
                logger.error("cluster: a transaction failed", metadata: ["operations": "\(batch.count)", "error": "\(String(reflecting: error))"])
                for operation in batch { operation.fail() }
                lost(error)
            }
        }
    }

    private func nextBatch() async -> (PostgresConnection, [ClusterOperation])? {
        while !Task.isCancelled {
            let taken = state.withLockedValue { state -> (PostgresConnection, [ClusterOperation])? in
                guard let connection = state.connection, !state.queue.isEmpty else { return nil }
                let count = min(Self.maxBatch, state.queue.count)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return (connection, batch)
            }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLockedValue { state -> Bool in
                    if state.connection != nil, !state.queue.isEmpty { return true }
                    state.waiting = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
        return nil
    }

    /// Wakes `run` so it can see it was cancelled.
    func wake() {
        let waiter = state.withLockedValue { state in
            defer { state.waiting = nil }
            return state.waiting
        }
        waiter?.resume()
    }
}
