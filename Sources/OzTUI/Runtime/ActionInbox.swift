import Foundation

/// Where other threads leave actions for the UI thread (client events, notices, a quit request), with a pipe whose
/// read end the UI thread polls beside standard input, so it sleeps until there is something to do.
final class ActionInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [AppAction] = []
    private var quitRequested = false
    /// While the UI thread naps until a frame it has already scheduled, posts need not wake it: it drains on waking.
    private var napping = false
    /// Polled by the UI thread; readable when actions are waiting.
    let wakeFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        wakeFD = fds[0]
        writeFD = fds[1]
        _ = fcntl(wakeFD, F_SETFL, fcntl(wakeFD, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(wakeFD)
        close(writeFD)
    }

    func post(_ action: AppAction) {
        let wake = lock.withLock {
            pending.append(action)
            return pending.count == 1 && !napping
        }
        if wake { self.wake() }
    }

    /// Called by the UI thread before it sleeps: with `napping`, it will wake at a deadline of its own (a frame) and
    /// posts until then only queue; without, the next post wakes it. Returns whether actions are already waiting (a
    /// post may have slipped in without a wake while napping), in which case it should not sleep.
    func willSleep(napping: Bool) -> Bool {
        lock.withLock {
            self.napping = napping
            return !pending.isEmpty
        }
    }

    /// Asks the UI loop to quit gracefully (SIGTERM, SIGINT from outside).
    func requestQuit() {
        lock.withLock { quitRequested = true }
        wake()
    }

    var shouldQuit: Bool { lock.withLock { quitRequested } }

    private var statisticsRequested = false

    /// Asks the UI loop for its statistics now (a benchmark's SIGUSR1).
    func requestStatistics() {
        lock.withLock { statisticsRequested = true }
        wake()
    }

    /// Whether statistics were asked for since the last call.
    func takeStatisticsRequest() -> Bool {
        lock.withLock {
            defer { statisticsRequested = false }
            return statisticsRequested
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Everything posted so far, in order. The queue starts afresh rather than keeping its capacity: after a burst (a
    /// 10,000-peer snapshot is 10,000 events) the caller frees the burst's buffer instead of the inbox holding a second
    /// one as large for good.
    func drain() -> [AppAction] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeFD, &buffer, buffer.count) > 0 {}
        return lock.withLock {
            var taken: [AppAction] = []
            swap(&taken, &pending)
            return taken
        }
    }
}
