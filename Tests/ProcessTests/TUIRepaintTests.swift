import Foundation
import Testing

/// The ozchat UI repaints the whole screen when the terminal may have changed it behind curses' back: after a window
/// was shrunk and restored faster than the UI looked (tmux reflowed the drawing, yet curses saw the same size at the
/// end and sent nothing), and on Ctrl-L after something else wrote to the terminal.
@Suite("ozchat UI full repaint (tmux)", .serialized)
struct TUIRepaintTests {
    let tmux = Tmux()
    let lobby: LobbyFixture
    var port: Int { lobby.port }

    init() throws {
        lobby = try LobbyFixture()
    }

    static func rows(_ screen: String) -> [String] { screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// The whole 100x30 layout is on screen: the roster separator on every pane row, the status bar, the input line.
    static func isWhole(_ screen: String) -> Bool {
        let rows = rows(screen)
        return rows.count >= 30 && rows.prefix(28).allSatisfy { $0.contains("│") } && rows[28].contains("ACCESS_GRANTED") && rows[29].hasPrefix(">")
    }

    func start() async throws -> ChildProcess {
        let gateway = try await lobby.startGateway()
        try await tmux.start(
            "ann", columns: 100, rows: 30, command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(port)", "tok", "--nick", "Ann"],
            environment: lobby.environment)
        try await tmux.waitForScreen("ann", "the whole layout, granted") { Self.isWhole($0) }
        return gateway
    }

    @Test func aWindowShrunkAndRestoredAtOnceIsRepaintedWhole() async throws {
        defer { tmux.kill() }
        let gateway = try await start()
        for _ in 0..<3 {
            try await tmux.resize("ann", columns: 41, rows: 10)
            try await Task.sleep(for: .milliseconds(50))
            try await tmux.resize("ann", columns: 100, rows: 30)
            try await tmux.waitForScreen("ann", "the whole layout after shrinking and restoring") { Self.isWhole($0) }
        }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func ctrlLRepaintsAScreenSomethingElseWroteOver() async throws {
        defer { tmux.kill() }
        let gateway = try await start()
        let tty = try await tmux.run(["display-message", "-p", "-t", "ann", "#{pane_tty}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // Another program writing to the same terminal: it clears the screen behind curses' back.
        let handle = try #require(FileHandle(forWritingAtPath: tty))
        handle.write(Data("\u{1B}[2J\u{1B}[HGARBAGE".utf8))
        try handle.close()
        try await tmux.waitForScreen("ann", "the garbage") { $0.hasPrefix("GARBAGE") && !Self.isWhole($0) }
        try await tmux.press("ann", "C-l")
        try await tmux.waitForScreen("ann", "the whole layout after Ctrl-L") { Self.isWhole($0) && !$0.contains("GARBAGE") }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }
}
