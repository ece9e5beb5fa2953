import Foundation
import OzProtocol

/// Runs a `token_command` or `password_command`: `/bin/sh -c COMMAND` with standard input from /dev/null, the given
/// environment, and every signal at its default action (ozchat ignores SIGPIPE, which a child would otherwise inherit).
/// The secret is the first line of its standard output, without the line ending.
///
/// `run` blocks until the command has ended (a password manager may wait for a passphrase): call it before the UI
/// starts, or from a thread of its own (as `ClientConfigFile.resolveCredentials` does), never on the cooperative pool.
public enum SecretCommand {
    /// Why a command gave no secret.
    public enum Failure: Error, Sendable, Equatable {
        /// /bin/sh could not be started (the errno's text).
        case cannotStart(String)
        /// It exited with a non-zero status; `stderr` is the first non-blank line of its standard error ("" if none).
        case exited(status: Int32, stderr: String)
        /// A signal ended it.
        case killed(signal: Int32, stderr: String)
        /// It exited 0 but its standard output's first line is empty.
        case noOutput(stderr: String)
    }

    /// How much of each output is kept (the rest is read and dropped, so the command never blocks on a full pipe).
    static let outputLimit = 64 * 1024

    /// Runs `command` and returns its output's first line, or why there is none.
    public static func run(_ command: String, environment: [String: String]) -> Result<String, Failure> {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { return .failure(.cannotStart(String(cString: strerror(errno)))) }
        guard pipe(&errPipe) == 0 else {
            let reason = String(cString: strerror(errno))
            for descriptor in outPipe { close(descriptor) }
            return .failure(.cannotStart(reason))
        }
        // Not inherited by this child (which gets its ends as 1 and 2) nor any other the process starts.
        for descriptor in outPipe + errPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let spawned = spawn(command, environment: environment, stdout: outPipe[1], stderr: errPipe[1])
        close(outPipe[1])
        close(errPipe[1])
        let pid: pid_t
        switch spawned {
        case .success(let child):
            pid = child
        case .failure(let failure):
            close(outPipe[0])
            close(errPipe[0])
            return .failure(failure)
        }
        let (output, errors) = drain(outPipe[0], errPipe[0])
        let status = wait(for: pid)
        let stderrLine = firstNonBlankLine(errors)
        if status & 0x7F != 0 { return .failure(.killed(signal: status & 0x7F, stderr: stderrLine)) }
        let exitStatus = (status >> 8) & 0xFF
        if exitStatus != 0 { return .failure(.exited(status: exitStatus, stderr: stderrLine)) }
        var line = output.prefix { $0 != UInt8(ascii: "\n") }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.isEmpty { return .failure(.noOutput(stderr: stderrLine)) }
        return .success(String(decoding: line, as: UTF8.self))
    }

    /// Starts `/bin/sh -c command` with its standard output and error on the given descriptors.
    private static func spawn(_ command: String, environment: [String: String], stdout: Int32, stderr: Int32) -> Result<pid_t, Failure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let words: [String] = ["/bin/sh", "-c", command]
        let arguments = words.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for argument in arguments { free(argument) }
            for variable in variables { free(variable) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, variables)
        guard code == 0 else { return .failure(.cannotStart(String(cString: strerror(code)))) }
        return .success(pid)
    }

    /// Reads both descriptors until each reaches its end, keeping at most `outputLimit` bytes of each; closes them.
    private static func drain(_ out: Int32, _ err: Int32) -> (output: [UInt8], errors: [UInt8]) {
        var descriptors = [pollfd(fd: out, events: Int16(POLLIN), revents: 0), pollfd(fd: err, events: Int16(POLLIN), revents: 0)]
        var kept: [[UInt8]] = [[], []]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while descriptors.contains(where: { $0.fd >= 0 }) {
            if poll(&descriptors, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in 0..<2 where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
                let count = read(descriptors[index].fd, &buffer, buffer.count)
                if count > 0 {
                    kept[index].append(contentsOf: buffer[0..<min(count, max(0, outputLimit - kept[index].count))])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(descriptors[index].fd)
                    descriptors[index].fd = -1
                }
            }
        }
        for descriptor in descriptors where descriptor.fd >= 0 { close(descriptor.fd) }
        return (kept[0], kept[1])
    }

    /// Reaps `pid`; its raw wait status.
    private static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 0x7F00 }  // already reaped by someone else: report exit status 127
        }
        return status
    }

    /// The first line of `bytes` with something besides white space, trimmed, made visible and cut to 200 characters.
    static func firstNonBlankLine(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).lazy.map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
        let visible = VisibleText.sanitize(line)
        return visible.count > 200 ? String(visible.prefix(200)) + "…" : visible
    }
}
