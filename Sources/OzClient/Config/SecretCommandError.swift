/// A room's `token_command` or `password_command` that gave no secret: names the room, the key, the command, and what
/// happened (exit status or signal, and the first line of its standard error).
public struct SecretCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The saved room's name.
    public var room: String
    /// `token_command` or `password_command`.
    public var key: String
    /// The command as written.
    public var command: String
    /// What went wrong.
    public var failure: SecretCommand.Failure

    /// Memberwise initializer.
    public init(room: String, key: String, command: String, failure: SecretCommand.Failure) {
        self.room = room
        self.key = key
        self.command = command
        self.failure = failure
    }

    /// `room 'work': password_command 'pass show work' failed (exit status 1): gpg: decryption failed`.
    public var description: String {
        let head = "room '\(room)': \(key) '\(command)'"
        func withStderr(_ line: String) -> String { line.isEmpty ? "" : ": \(line)" }
        switch failure {
        case .cannotStart(let reason): return "\(head) could not start: \(reason)"
        case .exited(let status, let stderr): return "\(head) failed (exit status \(status))\(withStderr(stderr))"
        case .killed(let signal, let stderr): return "\(head) was killed by signal \(signal)\(withStderr(stderr))"
        case .noOutput(let stderr): return "\(head) printed nothing (exit status 0)\(withStderr(stderr))"
        }
    }
}
