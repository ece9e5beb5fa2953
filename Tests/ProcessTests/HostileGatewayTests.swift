import Foundation
import Testing

/// The real `ozchat`, in a tmux terminal and in `--plain` mode, against `HostileGateway`: broken frames, ill-typed
/// fields, a 50,000-peer roster, nesting 10,000 deep, terminal escapes in every string, messages over 16 MiB, a frame
/// that is not UTF-8. It must never crash, never let a peer's text reach the terminal as control sequences, and must
/// still work afterwards.
@Suite("ozchat against a hostile gateway", .serialized)
struct HostileGatewayTests {
    let tmux = Tmux()
    let folder: URL

    init() throws {
        folder = try TemporaryFolder.make()
    }

    static func rows(_ screen: String) -> [String] { screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// Scalars that must never reach the terminal from a peer: C0 controls (the line break between lines aside), DEL,
    /// C1 controls, bidirectional overrides, embeddings, isolates and marks, line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029: true
        default: false
        }
    }

    /// The word after the timestamp of a `--plain` line (`ONLINE`, `ERROR`, … or `<` / `[private` for a message), or
    /// nil when the line does not start like one (a faked or broken line).
    static func eventWord(_ line: String) -> String? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].count == 24, parts[0].hasSuffix("Z"), parts[0].dropFirst(10).first == "T" else { return nil }
        let words = ["CONNECTING", "ACCESS_GRANTED", "ACCESS_DENIED", "CONNECTION_FAILED", "CONNECTION_CLOSED", "ONLINE", "OFFLINE", "ERROR", "INFO"]
        if words.contains(String(parts[1])) { return String(parts[1]) }
        if parts[1].hasPrefix("<") || parts[1] == "[private]" || parts[1] == "[private" { return "message" }
        return nil
    }

    /// The 100x30 layout holds: no row wider than the terminal, the roster separator on every pane row, the status bar
    /// and the input line at the bottom, ozchat still running.
    static func expectLayout(_ screen: String, _ when: String) {
        let rows = Self.rows(screen)
        #expect(!screen.contains("EXITED"), "ozchat exited (\(when)):\n\(screen)")
        #expect(rows.count >= 30, "\(when)")
        #expect(rows.allSatisfy { $0.count <= 100 }, "a row wider than the terminal (\(when))")
        #expect(rows.prefix(28).allSatisfy { $0.contains("│") }, "a pane row lost its separator (\(when)):\n\(screen)")
        #expect(rows.count > 29 && rows[28].contains("ACCESS_GRANTED"), "no status bar (\(when)):\n\(screen)")
        #expect(rows.count > 29 && rows[29].hasPrefix(">"), "no input line (\(when)):\n\(screen)")
    }

    @Test(.timeLimit(.minutes(5)))
    func theUISurvivesWithItsTitleLayoutAndTypingIntact() async throws {
        defer { tmux.kill() }
        let hostile = try await HostileGateway.start(released: false)
        defer { Task { await hostile.stop() } }
        try await tmux.start(
            "ui", columns: 100, rows: 30, command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(hostile.port)", "tok", "--nick", "Me"],
            environment: ["XDG_STATE_HOME": folder.path, "HOME": folder.path])
        try await tmux.waitForScreen("ui", "the 50,000-peer grant", timeout: .seconds(90)) {
            $0.contains("ACCESS_GRANTED") && $0.contains("peers here")
        }
        let title = try await tmux.paneTitle("ui")
        hostile.release()
        let screen = try await tmux.waitForScreen("ui", "the last session's marker", timeout: .seconds(180)) { $0.contains(HostileScript.done) }
        let titleAfter = try await tmux.paneTitle("ui")
        print("hostile gateway, UI: ozchat alive after \(hostile.sessions) sessions, title \(title.debugDescription) unchanged")

        #expect(hostile.sessions >= 4)
        #expect(titleAfter == title)
        #expect(!titleAfter.contains("pwned"))
        Self.expectLayout(screen, "after the hostile frames")
        // The hostile strings are on screen, made visible, not obeyed.
        #expect(screen.contains("clear ^[[2J^[[H^[[3J end"))
        #expect(screen.contains("carriage^MOVERWRITTEN end"))
        #expect(screen.contains("nul ^@^A^G bell end"))

        // Scrolling back through all of it (the 100,000-character line, the combining storms) and resizing redraw it.
        try await tmux.press("ui", "Home")
        let top = try await tmux.waitForScreen("ui", "the top of the scrollback") { $0.contains("scrolled up") }
        Self.expectLayout(top, "at the top of the scrollback")
        for _ in 0..<20 { try await tmux.press("ui", "PageDown") }
        Self.expectLayout(try await tmux.screen("ui"), "paging down")
        try await tmux.press("ui", "End")
        // Shrunk and restored at once, as a dragged window is (the regression of `TUIRepaintTests`).
        try await tmux.resize("ui", columns: 41, rows: 10)
        try await Task.sleep(for: .milliseconds(50))
        try await tmux.resize("ui", columns: 100, rows: 30)
        let resized = try await tmux.waitForScreen("ui", "redrawn whole at 100x30") {
            Self.rows($0).count >= 30 && Self.rows($0)[28].contains("ACCESS_GRANTED") && Self.rows($0).prefix(28).allSatisfy { $0.contains("│") }
        }
        Self.expectLayout(resized, "after resizing")
        #expect(try await tmux.paneTitle("ui") == title)

        try await tmux.type("ui", "still typing ✓")
        try await tmux.press("ui", "Enter")
        try await tmux.waitForScreen("ui", "the echo of what we typed", timeout: .seconds(30)) { $0.contains("<Me> still typing ✓") }
        #expect(hostile.received.contains { $0.contains("\"text\":\"still typing ✓\"") })
        try await tmux.press("ui", "C-c")
        try await tmux.waitForScreen("ui", "a clean exit", timeout: .seconds(30)) { $0.contains("EXITED 0") }
    }

    @Test(.timeLimit(.minutes(5)))
    func plainModeSurvivesAndPrintsOnlySanitisedLines() async throws {
        let hostile = try await HostileGateway.start()
        defer { Task { await hostile.stop() } }
        let chat = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(hostile.port)", "tok", "--nick", "Me"])
        try await waitUntil("the last session's marker", timeout: .seconds(180), every: .milliseconds(250)) {
            chat.stdout.contains(HostileScript.done) || !chat.process.isRunning
        }
        #expect(chat.process.isRunning, "ozchat --plain exited: \(chat.stderr)")
        chat.type("still typing ✓")
        try await waitUntil("the echo of what we typed", timeout: .seconds(30)) { chat.stdout.contains("<Me> still typing ✓") }
        chat.closeInput()
        #expect(await chat.waitForExit(timeout: .seconds(30)) == 0)

        // One pass over the (100,000) lines: every one is sanitised and starts as a documented event line does.
        var dirty: [String] = []
        var malformed: [String] = []
        var counts: [String: Int] = [:]
        for line in chat.lines {
            if line.unicodeScalars.contains(where: Self.isControl) { dirty.append(line) }
            guard let word = Self.eventWord(line) else {
                malformed.append(line)
                continue
            }
            counts[word, default: 0] += 1
            if word == "ACCESS_GRANTED", line.contains("number=FAKE") { malformed.append(line) }
        }
        print("hostile gateway, --plain: \(hostile.sessions) sessions, lines by kind: \(counts.sorted { $0.key < $1.key })")
        #expect(
            dirty.isEmpty, "\(dirty.count) lines with control characters, e.g. \(dirty.first.map { String($0.prefix(200)).debugDescription } ?? "")")
        #expect(malformed.isEmpty, "\(malformed.count) lines that are no event line, e.g. \(malformed.prefix(3).map { String($0.prefix(200)) })")
        #expect(counts["ACCESS_GRANTED", default: 0] >= 4)
        #expect(counts["ONLINE", default: 0] >= HostileScript.crowd)
        #expect(counts["ERROR", default: 0] >= 20)
        let out = chat.stdout
        #expect(out.contains(" <^[]0;pwned-nick^GMallory^[[2J> osc0 ^[]0;pwned-title^G end\n"))
        #expect(out.contains(" <^[]0;pwned-nick^GMallory^[[2J> escaped ^[]0;pwned-escaped^G <U+009B>2J <U+202E> end\n"))
        #expect(out.contains(" ERROR code=^[]0;pwned-code^G message=\"^[[2J <U+009B>2J\"\n"))
    }
}
