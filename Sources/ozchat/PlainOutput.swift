import OzProtocol

/// `--plain`'s standard output: each line written at once, unbuffered. Once a write fails (the reader has gone, as in
/// `ozchat --plain … | head -1`, or the stream is otherwise unusable) later lines are dropped and `closed()` returns,
/// so the session ends as at the end of input and ozchat exits 0, as `yes | head` ends `yes`. SIGPIPE is ignored
/// (`DescriptorWriter.prepareStandardStreams`), so the write fails with EPIPE instead of killing the process.
struct PlainOutput: Sendable {
    private let failures: AsyncStream<Never>
    private let continuation: AsyncStream<Never>.Continuation

    init() {
        (failures, continuation) = AsyncStream.makeStream(of: Never.self)
    }

    /// Writes `line` and a newline; on failure, ends `closed()`.
    func write(_ line: String) {
        do {
            try DescriptorWriter.standardOutput.write(line + "\n")
        } catch {
            continuation.finish()
        }
    }

    /// Returns once a write has failed, or when the calling task is cancelled. One caller at a time.
    func closed() async {
        for await _ in failures {}
    }
}
