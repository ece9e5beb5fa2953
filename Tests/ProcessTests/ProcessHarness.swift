import Foundation
import NIOConcurrencyHelpers
import TestSupport

/// Runs the package's executables (built next to the tests in `.build/debug`) as a user would, with pipes for their
/// standard streams, and waits on what they print.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let error = Pipe()
    private let collected = NIOLockedValueBox((out: "", err: ""))

    /// `.build/debug/NAME`, found from this file's location in the package.
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/\(name)")
    }

    /// How the child's standard output or standard error is connected.
    enum OutputPipe {
        /// A pipe the test reads as the child writes: `stdout`, `stderr`, `lines`, `waitForLine`.
        case collected
        /// A pipe of one page (4 KiB) that nobody reads until `collectError()`: it fills up, then the child's writes wait.
        case unread
        /// A pipe whose reading end is closed once the child runs: each write the child makes fails (EPIPE).
        case closed
    }

    init(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], stdout: OutputPipe = .collected,
        stderr: OutputPipe = .collected
    ) throws {
        // Typing to a child that has exited must fail (EPIPE), not kill the test runner.
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        process.executableURL = Self.executable(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        let streams = [(output, stdout, false), (error, stderr, true)]
        for (pipe, stream, isError) in streams {
            switch stream {
            case .collected: collect(pipe, isError: isError)
            // F_SETPIPE_SZ (1031): the smallest pipe Linux makes, so a little output fills it.
            case .unread: _ = fcntl(pipe.fileHandleForReading.fileDescriptor, 1031, 4096)
            case .closed: break
            }
        }
        try process.run()
        for (pipe, stream, _) in streams where stream == .closed { try? pipe.fileHandleForReading.close() }
    }

    private func collect(_ pipe: Pipe, isError: Bool) {
        let collected = self.collected
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            collected.withLockedValue {
                if isError { $0.err += text } else { $0.out += text }
            }
        }
    }

    /// Starts reading an `.unread` standard error (into `stderr`), as a reader that was stuck would.
    func collectError() {
        collect(error, isError: true)
    }

    /// The reader of standard output goes away, as `head -1` does once it has its line: nothing more is collected and
    /// the pipe's reading end is closed, so the child's next write fails (EPIPE).
    func closeOutput() {
        output.fileHandleForReading.readabilityHandler = nil
        try? output.fileHandleForReading.close()
    }

    var stdout: String { collected.withLockedValue { $0.out } }
    var stderr: String { collected.withLockedValue { $0.err } }
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Writes a line to the child's standard input; nothing happens once the child has gone (SIGPIPE is ignored here).
    func type(_ line: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the child's standard input (end of input).
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits until stdout has a line matching `predicate` (at least `count` of them); returns the last such line.
    @discardableResult
    func waitForLine(_ what: String, count: Int = 1, timeout: Duration = .seconds(60), _ predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let matches = lines.filter(predicate)
            if matches.count >= count { return matches[count - 1] }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Timeout(description: "no line \(what) within \(timeout); stdout:\n\(stdout)\nstderr:\n\(stderr)")
    }

    func waitForExit(timeout: Duration = .seconds(60)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else { return nil }
        // Whatever the child wrote just before exiting may not have reached the handlers yet.
        try? await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// The child's process id (for /proc figures and signals).
    var pid: Int32 { process.processIdentifier }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// The process tests' temporary folders and ports: TestSupport's (shared with the cluster tests), reachable from every
/// file of this target without importing TestSupport in each.
enum TemporaryFolder {
    static func make() throws -> URL { try TestSupport.TemporaryFolder.make() }
    static func freePort() throws -> Int { try TestSupport.TemporaryFolder.freePort() }
}
