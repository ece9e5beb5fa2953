import Foundation
import TestSupport

/// A private tmux server (its own socket, no user config) for end-to-end tests of the real ncursesw UI:
/// programs run in real terminals, keys go in with `send-keys`, and the screen comes back with `capture-pane`.
final class Tmux: @unchecked Sendable {
    let socket = "oztest-\(UUID().uuidString.prefix(8))"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a tmux command on a thread outside Swift's cooperative pool (spawn and waitpid block), and returns its output.
    @discardableResult
    func run(_ arguments: [String], closingInheritedDescriptors: Bool = false) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.runBlocking(arguments, closingInheritedDescriptors: closingInheritedDescriptors) })
            }
        }
    }

    private func runBlocking(_ arguments: [String], closingInheritedDescriptors: Bool) throws -> String {
        // The command that starts the tmux server must not pass it our other descriptors: the server lives on and would
        // hold other children's pipes open (their standard input would never see end of file). Python's close_fds
        // closes them in the child; Swift's Glibc overlay has no posix_spawn_file_actions_addclosefrom_np.
        let wrapper =
            closingInheritedDescriptors ? ["python3", "-c", "import subprocess,sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True))"] : []
        let (status, text) = try Self.spawn(wrapper + ["tmux", "-L", socket, "-f", "/dev/null"] + arguments)
        guard status == 0 else { throw Failure(description: "tmux \(arguments.joined(separator: " ")): \(text)") }
        return text
    }

    /// Runs a command to its end (TestSupport's `Spawn`: output to a file, since the tmux server that the first command
    /// forks would hold a pipe open forever).
    static func spawn(_ arguments: [String]) throws -> (Int32, String) {
        let (status, output) = Spawn.run(arguments)
        if status == 127, output.hasPrefix("cannot run") { throw Failure(description: output) }
        return (status, output)
    }

    /// Starts `command` in a new detached session of the given size.
    func start(_ name: String, columns: Int = 100, rows: Int = 30, command: [String], environment: [String: String] = [:]) async throws {
        let env = environment.merging(["TERM": "tmux-256color"]) { a, _ in a }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let line = "env \(env) " + command.map(Self.quote).joined(separator: " ") + "; echo; echo EXITED $?; sleep 30"
        try await run(["new-session", "-d", "-s", name, "-x", "\(columns)", "-y", "\(rows)", line], closingInheritedDescriptors: true)
        try await run(["set-option", "-t", name, "status", "off"])
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Types literal text (no key names interpreted).
    func type(_ name: String, _ text: String) async throws {
        try await run(["send-keys", "-t", name, "-l", text])
    }

    /// Presses keys by tmux name: Enter, Escape, Tab, F2, PageUp, C-u, …
    func press(_ name: String, _ keys: String...) async throws {
        try await run(["send-keys", "-t", name] + keys)
    }

    /// Pastes `text` into a pane as tmux's `paste-buffer -p` does: bracketed (`ESC[200~ … ESC[201~`) when the program
    /// there turned bracketed paste mode on, plain otherwise; line feeds go in as carriage returns, as typed Enter does.
    func paste(_ name: String, _ text: String) async throws {
        let buffer = "oztest-\(UUID().uuidString.prefix(8))"
        try await run(["set-buffer", "-b", buffer, text])
        try await run(["paste-buffer", "-p", "-d", "-b", buffer, "-t", name])
    }

    /// The process ids of the programs a pane's shell started (its children), from /proc.
    func programs(in name: String) async throws -> [Int32] {
        let shell = try await run(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(shell)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(shell)/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap {
                Int32($0)
            }
        }
    }

    /// The visible screen as text lines.
    func screen(_ name: String) async throws -> String {
        try await run(["capture-pane", "-p", "-t", name])
    }

    func resize(_ name: String, columns: Int, rows: Int) async throws {
        try await run(["resize-window", "-t", name, "-x", "\(columns)", "-y", "\(rows)"])
    }

    func paneTitle(_ name: String) async throws -> String {
        try await run(["display-message", "-p", "-t", name, "#{pane_title}"]).trimmingCharacters(in: .newlines)
    }

    /// Waits until the screen satisfies `predicate`; returns that screen, or throws with the last one seen.
    @discardableResult
    func waitForScreen(_ name: String, _ what: String, timeout: Duration = .seconds(20), _ predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await screen(name)
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "screen never showed \(what); last screen:\n\(last)")
    }

    /// Ends every program in the panes (their whole process groups) and then the server, so nothing a test started
    /// (an ozchat still retrying, a shell's sleep) outlives it.
    func kill() {
        let panes = (try? runBlocking(["list-panes", "-a", "-F", "#{pane_pid}"], closingInheritedDescriptors: false)) ?? ""
        for pid in panes.split(separator: "\n").compactMap({ Int32($0) }) {
            Glibc.kill(-pid, SIGKILL)
            Glibc.kill(pid, SIGKILL)
        }
        _ = try? runBlocking(["kill-server"], closingInheritedDescriptors: false)
    }

    deinit { kill() }
}
