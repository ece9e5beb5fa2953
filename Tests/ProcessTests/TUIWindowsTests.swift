import Foundation
import TestSupport
import Testing

/// Many rooms in the real ncursesw UI, in tmux, against two real gateways: `/join` opens a second window, a message in
/// the window not on screen counts in the room bar and a highlight rings the bell, Alt-1/Alt-A switch, `/part` closes.
@Suite("ozchat UI: windows (tmux)", .serialized)
struct TUIWindowsTests {
    let tmux = Tmux()
    let lobby: LobbyFixture
    let other: LobbyFixture

    init() throws {
        lobby = try LobbyFixture()
        other = try LobbyFixture(extraConfig: "[[line]]\nname = \"ops\"\ntoken = \"ops-tok\"\n")
    }

    /// The room bar: the screen's first row.
    func bar(_ screen: String) -> String { screen.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "" }

    @Test func twoRoomsOnTwoGatewaysActivityHighlightBellAltKeysAndPart() async throws {
        defer { tmux.kill() }
        let gatewayA = try await lobby.startGateway()
        defer { gatewayA.signal(SIGTERM) }
        let gatewayB = try await other.startGateway()
        defer { gatewayB.signal(SIGTERM) }
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(other.port)", "ops-tok", "--nick", "Bob"], environment: other.environment)
        try await bob.waitForLine("granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }

        try await tmux.start(
            "ann", columns: 100, rows: 30,
            command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(lobby.port)", "tok", "--nick", "Ann"], environment: lobby.environment)
        _ = try await tmux.waitForScreen("ann", "granted in the lobby", timeout: .seconds(30)) { $0.contains("ACCESS_GRANTED: you are") }
        #expect(!bar(try await tmux.screen("ann")).contains("1:lobby"))  // one window: no bar

        try await tmux.type("ann", "/join 127.0.0.1:\(other.port) ops-tok")
        try await tmux.press("ann", "Enter")
        var screen = try await tmux.waitForScreen("ann", "the second window granted", timeout: .seconds(30)) {
            $0.contains("1:lobby") && $0.contains("2:ops") && $0.contains("in ops")
        }
        #expect(screen.contains("#ops"))
        try await bob.waitForLine("Ann in ops", timeout: .seconds(30)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }

        // A mouse click on "1:lobby" in the room bar (SGR 1006, as ozchat turned on) shows window 1; Alt-2 and Alt-1 switch.
        try await tmux.run(["send-keys", "-t", "ann", "-l", "\u{1B}[<0;4;1M"])
        _ = try await tmux.waitForScreen("ann", "window 1 shown by a click", timeout: .seconds(10)) { $0.contains("#lobby") }
        try await tmux.press("ann", "M-2")
        _ = try await tmux.waitForScreen("ann", "window 2 shown", timeout: .seconds(10)) { $0.contains("#ops") }
        // Back to window 1; Bob talks in ops: counted, then a highlight: counted as one and the bell rings.
        try await tmux.press("ann", "M-1")
        _ = try await tmux.waitForScreen("ann", "window 1 shown", timeout: .seconds(10)) { $0.contains("#lobby") }
        bob.type("just chatting")
        screen = try await tmux.waitForScreen("ann", "2:ops(1)", timeout: .seconds(20)) { self.bar($0).contains("2:ops(1)") }
        #expect(!screen.contains("just chatting"))
        let bellBefore = try await tmux.run(["display-message", "-p", "-t", "ann", "#{window_bell_flag}"])
        bob.type("ann: are you there?")
        screen = try await tmux.waitForScreen("ann", "2:ops(!1)", timeout: .seconds(20)) { self.bar($0).contains("2:ops(!1)") }
        let bellAfter = try await tmux.run(["display-message", "-p", "-t", "ann", "#{window_bell_flag}"])
        #expect(bellBefore.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(bellAfter.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "tmux saw no bell")

        // Alt-A (tmux sends ESC a) goes to the window with the highlight; the "new" marker sits above what came.
        try await tmux.press("ann", "M-a")
        screen = try await tmux.waitForScreen("ann", "the ops window with its new lines", timeout: .seconds(10)) {
            $0.contains("ann: are you there?") && $0.contains("#ops")
        }
        let rows = screen.split(separator: "\n").map(String.init)
        let marker = try #require(rows.firstIndex { $0.contains("─── new ───") }, "no new marker:\n\(screen)")
        let first = try #require(rows.firstIndex { $0.contains("just chatting") })
        #expect(marker < first)
        #expect(bar(screen).contains("2:ops") && !bar(screen).contains("(!1)"))

        // Typing goes to the shown window's room.
        try await tmux.type("ann", "hi Bob")
        try await tmux.press("ann", "Enter")
        try await bob.waitForLine("Ann's message in ops", timeout: .seconds(20)) { $0.hasSuffix("<Ann> hi Bob") }

        // /part leaves ops and closes its window: one window again, no bar, Bob sees Ann leave.
        try await tmux.type("ann", "/part")
        try await tmux.press("ann", "Enter")
        screen = try await tmux.waitForScreen("ann", "one window again", timeout: .seconds(10)) {
            $0.contains("#lobby") && !self.bar($0).contains("2:")
        }
        try await bob.waitForLine("Ann left ops", timeout: .seconds(20)) { $0.contains(" OFFLINE ") && $0.hasSuffix(" Ann") }
        bob.closeInput()
        _ = await bob.waitForExit()
    }
}
