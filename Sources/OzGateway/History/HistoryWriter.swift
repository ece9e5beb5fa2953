import CoreMetrics
import Foundation
import Logging

/// The one thread that talks to the `MessageStore`. Rooms hand it records as they accept messages (never waiting);
/// it writes them in batches, one transaction per batch, at most `batchWindow` after the first record of a batch came
/// (the most a SIGKILL can lose). Reads and pruning queue behind the records handed in before them, so a read sees
/// every message accepted before it was asked for. `close()` writes what is pending, then closes the store.
final class HistoryWriter: @unchecked Sendable {
    /// The longest a record waits to be written: what a SIGKILL can lose at most (plus one batch's write time).
    static let batchWindow: TimeInterval = 0.05
    /// Records waiting beyond this many (the store failing for a long time) are dropped, oldest first, and counted.
    static let maxPending = 200_000

    let store: any MessageStore
    let logger: Logger
    private let metrics: GatewayMetrics
    private let condition = NSCondition()
    private var pending: [HistoryRecord] = []
    private var lastSeq: [String: Int64] = [:]
    private var firstPendingAt: TimeInterval = 0
    private var jobs: [() -> Void] = []
    private var closing = false
    private var closed = false
    private var dropped = 0
    private var failing = false
    private var thread: Thread?

    init(store: any MessageStore, metrics: GatewayMetrics = GatewayMetrics(), logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        // The thread holds the writer until `close()` ends it (a writer never closed keeps its idle thread).
        let thread = Thread { self.run() }
        thread.name = "ozgate-history"
        self.thread = thread
        thread.start()
    }

    /// Queues a record (any thread; rooms call it from their loop). `seq` must grow per room.
    func append(_ record: HistoryRecord) {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return }
        if pending.isEmpty { firstPendingAt = ProcessInfo.processInfo.systemUptime }
        pending.append(record)
        lastSeq[record.room] = record.seq
        if pending.count > Self.maxPending {
            dropped += pending.count - Self.maxPending
            pending.removeFirst(pending.count - Self.maxPending)
        }
        // Only the first record of a batch wakes the thread, which then waits out the batch window: one wake-up a
        // batch, not one a message.
        if pending.count == 1 { condition.signal() }
    }

    /// Notes a seq assigned without a record (a private message), so numbering resumes after it.
    func noteSeq(room: String, seq: Int64) {
        condition.lock()
        defer { condition.unlock() }
        lastSeq[room] = seq
    }

    /// Runs `job` on the store's thread after every record queued before it has been written.
    func perform(_ job: @escaping () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return }
        jobs.append(job)
        condition.signal()
    }

    /// Writes what is pending, then closes the store; returns when done. Safe to call more than once.
    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !closed { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while pending.isEmpty, jobs.isEmpty, !closing { condition.wait() }
            // Records alone wait for the batch window to fill; a job or closing writes them at once.
            if jobs.isEmpty, !closing, !pending.isEmpty {
                let due = firstPendingAt + Self.batchWindow
                let now = ProcessInfo.processInfo.systemUptime
                if now < due {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: due - now))
                    continue
                }
            }
            let batch = pending
            let seqs = lastSeq
            let work = jobs
            let lost = dropped
            pending.removeAll(keepingCapacity: true)
            lastSeq.removeAll(keepingCapacity: true)
            jobs.removeAll()
            dropped = 0
            let finishing = closing
            condition.unlock()
            if lost > 0 {
                logger.error("history: records dropped while the store failed", metadata: ["store": "\(store.name)", "records": "\(lost)"])
            }
            if !batch.isEmpty || !seqs.isEmpty { write(batch, seqs) }
            for job in work { job() }
            condition.lock()
            if finishing, pending.isEmpty, jobs.isEmpty { break }
        }
        condition.unlock()
        store.close()
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// One transaction; on failure the batch goes back to the front of the queue (logged once per failing spell).
    private func write(_ batch: [HistoryRecord], _ seqs: [String: Int64]) {
        do {
            let started = ContinuousClock.now
            try store.append(batch, lastSeq: seqs)
            metrics.storeWrite.record(elapsed: ContinuousClock.now - started)
            if failing {
                failing = false
                logger.notice("history: the store accepts writes again", metadata: ["store": "\(store.name)"])
            }
        } catch {
            if !failing {
                failing = true
                logger.error("history: cannot write to the store; retrying", metadata: ["store": "\(store.name)", "error": "\(error)"])
            }
            condition.lock()
            if closing {
                condition.unlock()
                logger.error("history: messages not written at shutdown", metadata: ["store": "\(store.name)", "records": "\(batch.count)"])
                return
            }
            pending.insert(contentsOf: batch, at: 0)
            for (room, seq) in seqs where lastSeq[room] == nil { lastSeq[room] = seq }
            if pending.count > Self.maxPending {
                dropped += pending.count - Self.maxPending
                pending.removeFirst(pending.count - Self.maxPending)
            }
            if pending.count == batch.count { firstPendingAt = ProcessInfo.processInfo.systemUptime }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
            condition.unlock()
        }
    }
}
