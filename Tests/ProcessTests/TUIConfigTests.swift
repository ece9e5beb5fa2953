import Foundation
import TestSupport
import Testing

/// ozchat with a config file, in tmux against a real gateway: two autojoin rooms open in file order, a saved room by
/// name, a bad line stops ozchat before the screen opens, logs land on disk (0600), Ctrl-R finds an old message.
@Suite("ozchat UI: the config file (tmux)", .serialized)
struct TUIConfigTests {
    let tmux = Tmux()
    let gate: LobbyFixture

    init() throws {
        gate = try LobbyFixture(extraConfig: "[[line]]\nname = \"ops\"\ntoken = \"ops-tok\"\n")
    }

    /// Writes `text` as the config file and returns its path.
    func writeConfig(_ text: String) throws -> String {
        let path = gate.folder.appendingPathComponent("ozchat.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    @Test func twoAutojoinRoomsOpenInFileOrderAndTheirLogsLandOnDisk() async throws {
        defer { tmux.kill() }
        let gateway = try await gate.startGateway(["--store", "memory"])
        defer { gateway.signal(SIGTERM) }
        let logs = gate.folder.appendingPathComponent("logs").path
        let config = try writeConfig(
            """
            nick = "Ann"
            highlights = ["deploy"]
            log_dir = "\(logs)"

            [[room]]
            name = "main"
            server = "127.0.0.1:\(gate.port)"
            token = "tok"
            autojoin = true

            [[room]]
            name = "ops"
            server = "127.0.0.1:\(gate.port)"
            token_command = "echo ops-tok"
            autojoin = true

            [[room]]
            name = "later"
            server = "127.0.0.1:\(gate.port)"
            token = "tok"
            """)
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(gate.port)", "ops-tok", "--nick", "Bob"], environment: gate.environment)
        try await bob.waitForLine("granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }
        for n in 1...60 { bob.type("old line \(n)") }
        try await bob.waitForLine("the last echo", timeout: .seconds(30)) { $0.hasSuffix("<Bob> old line 60") }

        try await tmux.start(
            "ann", columns: 100, rows: 30, command: [ChildProcess.executable("ozchat").path, "--config", config], environment: gate.environment)
        try await tmux.waitForScreen("ann", "both rooms, main shown", timeout: .seconds(30)) {
            $0.contains("1:main") && $0.contains("2:ops") && $0.contains("#lobby")
        }
        try await bob.waitForLine("Ann in ops", timeout: .seconds(30)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }
        bob.type("the deploy is done")
        try await tmux.waitForScreen("ann", "a highlight in ops", timeout: .seconds(20)) { $0.contains("2:ops(!1)") }

        // Alt-2, then Ctrl-R finds an old message from the history fetched on joining.
        try await tmux.press("ann", "M-2")
        let ops = try await tmux.waitForScreen("ann", "ops shown", timeout: .seconds(10)) { $0.contains("#ops") && $0.contains("old line 60") }
        #expect(!ops.contains("old line 7\n") && !ops.contains("old line 7 "), "already on screen:\n\(ops)")
        try await tmux.press("ann", "C-r")
        try await tmux.type("ann", "old line 7")
        try await tmux.waitForScreen("ann", "the old message found", timeout: .seconds(10)) {
            $0.contains("search (Ctrl-R")
                && $0.split(separator: "\n").contains { $0.contains("<Bob> old line 7 ") || $0.hasSuffix("<Bob> old line 7") }
        }
        try await tmux.press("ann", "Escape")
        _ = try await tmux.waitForScreen("ann", "the search ended", timeout: .seconds(10)) { !$0.contains("search (Ctrl-R") }

        // /join NAME opens the saved room "later" (the lobby again, as a third window).
        try await tmux.type("ann", "/join later")
        try await tmux.press("ann", "Enter")
        _ = try await tmux.waitForScreen("ann", "the third window", timeout: .seconds(20)) { $0.contains("3:later") && $0.contains("#lobby") }
        try await tmux.type("ann", "hello from later")
        try await tmux.press("ann", "Enter")
        _ = try await tmux.waitForScreen("ann", "Ann's message", timeout: .seconds(20)) { $0.contains("<Ann> hello from later") }
        try await tmux.press("ann", "C-c")
        _ = try await tmux.waitForScreen("ann", "ozchat gone", timeout: .seconds(20)) { !$0.contains("1:main") }

        // The logs: one folder per saved room, today's UTC file, mode 0600, the conversation in --plain lines.
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let day = formatter.string(from: Date())
        let opsLog = "\(logs)/ops/\(day).log"
        let text = try String(contentsOfFile: opsLog, encoding: .utf8)
        #expect(text.contains("<Bob> the deploy is done"))
        #expect(!text.contains("old line 1\n"))  // history fetched on joining is not logged again
        func mode(_ path: String) -> Int? { (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int }
        #expect(mode(opsLog) == 0o600)
        #expect(mode("\(logs)/ops") == 0o700)
        let laterLog = try String(contentsOfFile: "\(logs)/later/\(day).log", encoding: .utf8)
        #expect(laterLog.contains("<Ann> hello from later"))
        bob.closeInput()
        _ = await bob.waitForExit()
    }

    @Test func aBadLineIsReportedWithItsNumberAndOzchatDoesNotStart() async throws {
        let config = try writeConfig("nick = \"Ann\"\nbell = \"sometimes\"\n")
        let ozchat = try ChildProcess("ozchat", ["--config", config], environment: gate.environment)
        let status = await ozchat.waitForExit()
        #expect(status == 78)
        let error = ozchat.stderr
        #expect(error.contains("ozchat.toml:2:"), "\(error)")
        #expect(error.contains("bell"))
    }

    @Test func aFailingTokenCommandIsReportedAndOzchatDoesNotStart() async throws {
        let config = try writeConfig("[[room]]\nname = \"x\"\nserver = \"127.0.0.1:1\"\ntoken_command = \"echo nope >&2; exit 3\"\nautojoin = true\n")
        let ozchat = try ChildProcess("ozchat", ["--config", config], environment: gate.environment)
        #expect(await ozchat.waitForExit() == 78)
        let error = ozchat.stderr
        #expect(error.contains("room 'x'") && error.contains("exit status 3") && error.contains("nope"), "\(error)")
    }
}
