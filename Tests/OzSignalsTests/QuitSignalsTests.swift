import Foundation
import OzSignals
import Testing
import UnixSignals

/// `QuitSignals` in a process of its own each (exit tests): what the hand-made `SignalWaiter` it replaced got wrong.
@Suite("QuitSignals")
struct QuitSignalsTests {
    /// SignalWaiter's `wait()` returned the same way for a cancelled wait as for a signal, and marked the signal as
    /// arrived, so any later wait returned at once.
    @Test func aCancelledWaitIsNotTakenForASignal() async {
        await #expect(processExitsWith: .success) {
            let signals = await QuitSignals.trap()
            let waiter = Task { await signals.next() }
            waiter.cancel()
            exit(await waiter.value == nil ? 0 : 1)
        }
    }

    /// A signal caught before anyone waits is kept for `next()`; after `release()` SIGINT ends the process again
    /// (SignalWaiter's `cancel()` left it ignored, and libdispatch's handler stays installed after its source is gone).
    @Test func aCaughtSignalIsKeptAndAfterReleaseSIGINTEndsTheProcess() async {
        await #expect(processExitsWith: .signal(SIGINT)) {
            let signals = await QuitSignals.trap()
            kill(getpid(), SIGTERM)
            guard await signals.next()?.rawValue == SIGTERM else { exit(2) }
            signals.release()
            raiseUnblocked(SIGINT)
            exit(0)
        }
    }
}

/// Raises `number` in the calling thread with it unblocked there (libdispatch's handler blocks every signal in a thread
/// it ran on, and a test runner's mask may block some), then gives it a moment to act.
func raiseUnblocked(_ number: Int32) {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, number)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    raise(number)
    usleep(500_000)
}
