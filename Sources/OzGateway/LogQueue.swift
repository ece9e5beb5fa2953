import Foundation
import OzProtocol

/// Log lines on their way to a descriptor (standard error), so that logging never blocks the caller, which is usually
/// an event loop: `append` only copies the line into a bounded queue, and a thread of the queue's own writes it out.
/// When the queue is full (the descriptor is slow, or a pipe nobody reads) lines are dropped and counted; the count is
/// written, as a line of its own, where the gap is. When the descriptor fails for good (EPIPE: the reader has gone,
/// EBADF, EIO) every later line is discarded at once: the gateway goes on serving without its log.
public final class LogQueue: @unchecked Sendable {
    /// The gateway's standard error, with `GatewayLogHandler`'s line for a count of dropped lines.
    public static let standardError = LogQueue(writer: .standardError) { GatewayLogHandler.droppedLine(count: $0) }

    private let writer: DescriptorWriter
    private let capacity: Int
    private let droppedLine: @Sendable (Int) -> String
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var dropped = 0
    private var writing = false
    private var failed = false
    private var started = false

    /// - Parameters:
    ///   - capacity: bytes of lines that may wait (besides the batch being written); past it lines are dropped.
    ///   - droppedLine: the text written for `count` dropped lines, newline included.
    public init(writer: DescriptorWriter, capacity: Int = 1 << 20, droppedLine: @escaping @Sendable (Int) -> String) {
        self.writer = writer
        self.capacity = capacity
        self.droppedLine = droppedLine
    }

    /// Queues `line` (newline included) without waiting for the descriptor; drops it when the queue is full.
    /// Wakes every waiter: `flush` waits on the same condition, and a signal it took would leave the writer asleep.
    public func append(_ line: String) {
        condition.lock()
        defer { condition.unlock() }
        if failed { return }
        if !started {
            started = true
            let thread = Thread { [self] in drain() }
            thread.name = "ozgate-log"
            thread.start()
        }
        // The count's line is only made when the line itself fits.
        let fits = pending.count + line.utf8.count <= capacity
        let notice = fits && dropped > 0 ? droppedLine(dropped) : ""
        guard fits, pending.count + notice.utf8.count + line.utf8.count <= capacity else {
            dropped += 1
            condition.broadcast()
            return
        }
        pending.append(contentsOf: notice.utf8)
        pending.append(contentsOf: line.utf8)
        dropped = 0
        condition.broadcast()
    }

    /// Waits up to `timeout` until every queued line (and any count of dropped ones) has been written or the descriptor
    /// has failed; for shutdown, so a stuck descriptor cannot hold the process. Returns whether the queue emptied.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !failed, started, writing || !pending.isEmpty || dropped > 0 {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// The writer thread: takes everything queued, writes it outside the lock, and repeats.
    private func drain() {
        while true {
            condition.lock()
            while pending.isEmpty && dropped == 0 { condition.wait() }
            var batch: [UInt8] = []
            swap(&batch, &pending)
            if dropped > 0 {
                // Every line queued after a drop carries the count before it; these drops came after the last line.
                batch.append(contentsOf: droppedLine(dropped).utf8)
                dropped = 0
            }
            writing = true
            condition.unlock()

            var stopped = false
            do {
                try writer.write(batch)
            } catch {
                stopped = true
            }

            condition.lock()
            writing = false
            if stopped {
                failed = true
                pending = []
                dropped = 0
            }
            condition.broadcast()
            condition.unlock()
            if stopped { return }
        }
    }
}
