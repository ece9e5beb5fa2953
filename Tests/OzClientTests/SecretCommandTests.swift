import Foundation
import OzClient
import Testing

@Suite("token_command and password_command")
struct SecretCommandTests {
    let environment = ["PATH": "/usr/bin:/bin"]

    private func run(_ command: String) -> Result<String, SecretCommand.Failure> {
        SecretCommand.run(command, environment: environment)
    }

    @Test func theFirstLineOfStandardOutputIsTheSecret() {
        #expect(run("printf 'tok en\\nsecond\\n'") == .success("tok en"))
        #expect(run("printf 'crlf\\r\\n'") == .success("crlf"))
        #expect(run("printf unterminated") == .success("unterminated"))
        #expect(run("echo warning >&2; echo s3") == .success("s3"))
        #expect(SecretCommand.run("printf %s \"$SECRET\"", environment: ["SECRET": "from-env"]) == .success("from-env"))
    }

    @Test func endlessOrLargeOutputIsStillRead() {
        // SIGPIPE is at its default in the command (ozchat ignores it), so `yes` ends when `head` has its line.
        #expect(run("yes | head -n 1") == .success("y"))
        // Past 64 KiB output is read and dropped, so a command never blocks on a full pipe, on either stream.
        #expect(run("yes | head -c 300000") == .success("y"))
        #expect(run("head -c 300000 /dev/zero >&2; echo ok") == .success("ok"))
        #expect(run("cat") == .failure(.noOutput(stderr: "")))  // standard input is /dev/null: nothing to wait for
    }

    @Test func failures() {
        #expect(
            run("echo 'gpg: decryption failed' >&2; echo; echo 'gpg: more' >&2; exit 3")
                == .failure(.exited(status: 3, stderr: "gpg: decryption failed")))
        #expect(run("exit 1") == .failure(.exited(status: 1, stderr: "")))
        #expect(run("true") == .failure(.noOutput(stderr: "")))
        #expect(run("echo; echo 'locked' >&2") == .failure(.noOutput(stderr: "locked")))
        #expect(run("kill -9 $$") == .failure(.killed(signal: 9, stderr: "")))
        guard case .failure(.exited(127, let stderr)) = run("no-such-command-ozchat") else {
            Issue.record("a missing command should exit 127")
            return
        }
        #expect(stderr.contains("not found"))
        #expect(run("printf '\\033[2J' >&2; exit 2") == .failure(.exited(status: 2, stderr: "^[[2J")))
    }

    @Test func errorDescriptions() {
        func describe(_ failure: SecretCommand.Failure) -> String {
            SecretCommandError(room: "work", key: "password_command", command: "pass show work", failure: failure).description
        }
        #expect(
            describe(.exited(status: 1, stderr: "gpg: decryption failed"))
                == "room 'work': password_command 'pass show work' failed (exit status 1): gpg: decryption failed")
        #expect(describe(.exited(status: 2, stderr: "")) == "room 'work': password_command 'pass show work' failed (exit status 2)")
        #expect(describe(.noOutput(stderr: "")) == "room 'work': password_command 'pass show work' printed nothing (exit status 0)")
        #expect(describe(.killed(signal: 15, stderr: "bye")) == "room 'work': password_command 'pass show work' was killed by signal 15: bye")
        #expect(
            describe(.cannotStart("No such file or directory"))
                == "room 'work': password_command 'pass show work' could not start: No such file or directory")
    }
}
