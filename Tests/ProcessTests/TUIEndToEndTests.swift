import Foundation
import Testing

/// The real ozchat UI in real terminals (tmux), against a real ozgate: what a user sees, read back from the screen.
@Suite("ozchat UI end to end (tmux)", .serialized)
struct TUIEndToEndTests {
    let tmux = Tmux()
    let lobby: LobbyFixture
    var folder: URL { lobby.folder }
    var port: Int { lobby.port }

    init() throws {
        lobby = try LobbyFixture()
    }

    func startGateway() async throws -> ChildProcess {
        try await lobby.startGateway()
    }

    func startChat(_ name: String, nick: String, token: String = "tok", columns: Int = 100, rows: Int = 30) async throws {
        try await tmux.start(
            name, columns: columns, rows: rows,
            command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(port)", token, "--nick", nick],
            environment: lobby.environment)
    }

    /// The screen's rows.
    static func rows(_ screen: String) -> [String] { screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    @Test func peersComeAndGoMessagesFlowAndTheLayoutHolds() async throws {
        defer { tmux.kill() }
        let gateway = try await startGateway()
        try await startChat("ann", nick: "Ann")
        try await tmux.waitForScreen("ann", "granted") { $0.contains("ACCESS_GRANTED") }
        try await startChat("bob", nick: "Bob")
        try await tmux.waitForScreen("bob", "Ann in Bob's roster") { $0.contains(" Ann") && $0.contains("ACCESS_GRANTED") }
        let annScreen = try await tmux.waitForScreen("ann", "Bob joined") { $0.contains("Bob (") && $0.contains("joined") }
        // The roster pane is on the right: Bob's row ends with his number, after the separator.
        #expect(Self.rows(annScreen).contains { $0.contains("│") && $0.contains(" Bob") })

        try await tmux.type("ann", "hello from Ann ✓ 你好")
        try await tmux.press("ann", "Enter")
        try await tmux.waitForScreen("bob", "Ann's message") { $0.contains("<Ann> hello from Ann ✓ 你好") }

        try await tmux.press("bob", "C-c")
        try await tmux.waitForScreen("bob", "exit") { $0.contains("EXITED 0") }
        try await tmux.waitForScreen("ann", "Bob left") { $0.contains("Bob (") && $0.contains("left") }
        let after = try await tmux.screen("ann")
        #expect(!Self.rows(after).contains { $0.contains("│") && $0.hasSuffix(" Bob") })

        // Resize: the status bar and input line move to the new bottom, nothing is left over.
        try await tmux.resize("ann", columns: 60, rows: 15)
        let small = try await tmux.waitForScreen("ann", "redrawn at 60x15") {
            Self.rows($0).count >= 15 && Self.rows($0)[13].contains("ACCESS_GRANTED")
        }
        #expect(Self.rows(small)[14].hasPrefix(">"))
        try await tmux.resize("ann", columns: 30, rows: 8)
        try await tmux.waitForScreen("ann", "too-small notice") { $0.contains("ozchat needs 40x10") }
        try await tmux.resize("ann", columns: 120, rows: 40)
        try await tmux.waitForScreen("ann", "redrawn at 120x40") { Self.rows($0).count >= 40 && Self.rows($0)[38].contains("ACCESS_GRANTED") }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func deniedOpensThePromptAndACorrectedTokenConnects() async throws {
        defer { tmux.kill() }
        let gateway = try await startGateway()
        try await startChat("eve", nick: "Eve", token: "wrong")
        let prompt = try await tmux.waitForScreen("eve", "the prompt") { $0.contains("Access denied") && $0.contains("Token") }
        #expect(prompt.contains("Server") && prompt.contains("Nickname") && prompt.contains("Password"))
        try await tmux.press("eve", "C-u")
        try await tmux.type("eve", "tok")
        try await tmux.press("eve", "Enter")
        try await tmux.waitForScreen("eve", "granted") { $0.contains("ACCESS_GRANTED") && !$0.contains("Access denied") }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func killingTheGatewayShowsClosedThenTheReconnection() async throws {
        defer { tmux.kill() }
        var gateway = try await startGateway()
        try await startChat("ann", nick: "Ann")
        try await tmux.waitForScreen("ann", "granted") { $0.contains("ACCESS_GRANTED") }
        gateway.signal(SIGKILL)
        _ = await gateway.waitForExit()
        try await tmux.waitForScreen("ann", "closed with a countdown") { $0.contains("CONNECTION_CLOSED") || $0.contains("retry in") }
        gateway = try await startGateway()
        try await tmux.waitForScreen("ann", "granted again", timeout: .seconds(40)) { screen in
            Self.rows(screen).contains { $0.contains("ACCESS_GRANTED: you are") }
                && Self.rows(screen).filter { $0.contains("ACCESS_GRANTED") }.count >= 3
        }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func aHostileNicknameChangesNeitherTheTitleNorTheScreenOutsideItsCells() async throws {
        defer { tmux.kill() }
        let gateway = try await startGateway()
        try await startChat("ann", nick: "Ann")
        try await tmux.waitForScreen("ann", "granted") { $0.contains("ACCESS_GRANTED") }
        let titleBefore = try await tmux.paneTitle("ann")
        let hostile = "\u{1B}]2;pwned\u{07}\u{1B}[2J\u{1B}[H\rFAKE\u{202E}x"
        let evil = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(port)", "tok", "--nick", hostile])
        try await evil.waitForLine("granted") { $0.contains(" ACCESS_GRANTED ") }
        evil.type("hi \u{1B}[31mred\u{1B}[0m")
        let screen = try await tmux.waitForScreen("ann", "the hostile peer") { $0.contains("^[]2;pwned^G") && $0.contains("hi ^[[31mred") }
        let titleAfter = try await tmux.paneTitle("ann")
        #expect(titleAfter == titleBefore)
        #expect(!titleAfter.contains("pwned"))
        // The screen was not cleared: the status bar and the earlier lines are still where they were.
        #expect(screen.contains("ACCESS_GRANTED: you are"))
        #expect(Self.rows(screen)[28].contains("ACCESS_GRANTED"))
        // No row is wider than the terminal (nothing spilled).
        #expect(Self.rows(screen).allSatisfy { $0.count <= 100 })
        evil.closeInput()
        _ = await evil.waitForExit()
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func withoutAServerTheFirstOzchatHostsTheRoomAndTheSecondJoinsIt() async throws {
        defer { tmux.kill() }
        let environment = lobby.environment
        let ozchat = ChildProcess.executable("ozchat").path
        try await tmux.start("first", command: [ozchat, "--nick", "Host", "--local-port", "\(port)"], environment: environment)
        try await tmux.waitForScreen("first", "granted in the embedded lobby") { $0.contains("ACCESS_GRANTED: you are") && $0.contains("in lobby") }
        let file = try String(contentsOfFile: folder.appendingPathComponent("ozchat/gateway").path, encoding: .utf8)
        #expect(file.contains("server=ws://127.0.0.1:\(port)/"))
        try await tmux.start("second", command: [ozchat, "--nick", "Guest", "--local-port", "\(port)"], environment: environment)
        try await tmux.waitForScreen("second", "Host in the roster") { $0.contains("ACCESS_GRANTED") && $0.contains(" Host ") }
        try await tmux.waitForScreen("first", "Guest joined") { $0.contains("Guest (") && $0.contains("joined") }
        try await tmux.type("second", "hi host")
        try await tmux.press("second", "Enter")
        try await tmux.waitForScreen("first", "the guest's message") { $0.contains("<Guest> hi host") }
        try await tmux.type("second", "/quit")
        try await tmux.press("second", "Enter")
        try await tmux.waitForScreen("second", "a clean exit") { $0.contains("EXITED 0") }
    }

    /// SIGTERM, and SIGINT sent from outside (in the UI Ctrl-C is a key), end the UI as `/quit` does: exit status 0.
    @Test(arguments: [SIGTERM, SIGINT]) func aQuitSignalEndsTheUIWithExitZero(signal: Int32) async throws {
        defer { tmux.kill() }
        let gateway = try await startGateway()
        try await startChat("quit", nick: "Quitter")
        try await tmux.waitForScreen("quit", "granted") { $0.contains("ACCESS_GRANTED") }
        let shell = try #require(
            Int32(try await tmux.run(["display-message", "-p", "-t", "quit", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)))
        let chat = try #require(Self.child(of: shell))
        kill(chat, signal)
        try await tmux.waitForScreen("quit", "a clean exit") { $0.contains("EXITED 0") }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    /// The process id of a child of `parent`, from /proc.
    static func child(of parent: Int32) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == parent { return pid }
        }
        return nil
    }
}
