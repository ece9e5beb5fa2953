import Foundation
import OzProtocol

/// `--plain`'s standard output: each line written at once, unbuffered. When its reader goes (`ozchat --plain … | head -1`)
/// `closed()` returns, so the session ends as at the end of input and ozchat exits 0, as `yes | head` ends `yes`; later
/// lines are dropped. That is noticed at the next write, which fails with EPIPE (SIGPIPE is ignored:
/// `DescriptorWriter.prepareStandardStreams`), or sooner for a pipe: see `watchForReaderGone`.
struct PlainOutput: Sendable {
    private let failures: AsyncStream<Never>
    private let continuation: AsyncStream<Never>.Continuation

    init() {
        (failures, continuation) = AsyncStream.makeStream(of: Never.self)
        Self.watchForReaderGone(continuation)
    }

    /// When standard output is a pipe, a thread waits in poll(2) for the pipe's reader to go (POLLERR), so that
    /// `ozchat --plain … | grep -m1 ACCESS_GRANTED` ends when grep does, even in a quiet room with nothing more to write.
    private static func watchForReaderGone(_ continuation: AsyncStream<Never>.Continuation) {
        var status = stat()
        guard fstat(STDOUT_FILENO, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { return }
        Thread.detachNewThread {
            // No events asked for: only POLLERR (no reader any more) or POLLHUP ends the wait.
            var request = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
            while poll(&request, 1, -1) < 0, errno == EINTR {}
            if request.revents & Int16(POLLERR | POLLHUP) != 0 { continuation.finish() }
        }
    }

    /// Writes `line` and a newline; on failure, ends `closed()`.
    func write(_ line: String) {
        do {
            try DescriptorWriter.standardOutput.write(line + "\n")
        } catch {
            continuation.finish()
        }
    }

    /// Returns once the reader has gone or a write has failed, or when the calling task is cancelled. One caller at a time.
    func closed() async {
        for await _ in failures {}
    }
}
