import Foundation
import TestSupport
import Testing

/// The ncursesw UI in tmux against a real `ozgate --store memory` holding more history than a join shows: the backlog
/// above its marker, and PgUp past the oldest line fetching older pages until the beginning.
@Suite("ozchat UI: history (tmux)", .serialized)
struct TUIHistoryTests {
    let tmux = Tmux()
    let lobby: LobbyFixture

    init() throws {
        lobby = try LobbyFixture()
    }

    static func label(_ n: Int) -> String { "msg " + String(format: "%03d", n) }

    @Test func theBacklogShowsAboveItsMarkerAndPgUpLoadsOlderPages() async throws {
        defer { tmux.kill() }
        let gateway = try await lobby.startGateway(["--store", "memory", "--no-limits"])
        defer { gateway.signal(SIGTERM) }
        let seeder = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Seeder"], environment: lobby.environment)
        try await seeder.waitForLine("granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }
        let total = 320
        for n in 1...total { seeder.type(Self.label(n)) }
        try await seeder.waitForLine("the last echo", timeout: .seconds(60)) { $0.hasSuffix("<Seeder> \(Self.label(total))") }

        try await tmux.start(
            "ann", columns: 100, rows: 30,
            command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(lobby.port)", "tok", "--nick", "Ann", "--history", "200"],
            environment: lobby.environment)
        let joined = try await tmux.waitForScreen("ann", "the backlog and its marker", timeout: .seconds(30)) {
            $0.contains("history above: 200 messages") && $0.contains("<Seeder> \(Self.label(total))")
        }
        let rows = joined.split(separator: "\n").map(String.init)
        let marker = try #require(rows.firstIndex { $0.contains("history above: 200 messages") })
        let newest = try #require(rows.firstIndex { $0.contains(Self.label(total)) })
        #expect(newest < marker, "the backlog is above the marker:\n\(joined)")

        // PgUp until the top of the history: two older pages of 100 (the 120 messages before the 200 shown).
        var screen = joined
        var presses = 0
        var sawLoading = false
        while !screen.contains("beginning of history"), presses < 80 {
            try await tmux.press("ann", "PageUp")
            presses += 1
            screen = try await tmux.screen("ann")
            if screen.contains("loading older messages") {
                sawLoading = true
                screen = try await tmux.waitForScreen("ann", "an older page", timeout: .seconds(30)) { !$0.contains("loading older messages") }
            }
        }
        #expect(screen.contains("beginning of history"), "after \(presses) PgUp:\n\(screen)")
        #expect(sawLoading || screen.contains(Self.label(1)))
        let top = screen.split(separator: "\n").map(String.init)
        let beginning = try #require(top.firstIndex { $0.contains("beginning of history") })
        let first = try #require(top.firstIndex { $0.contains("<Seeder> \(Self.label(1))") }, "msg 001 under the beginning:\n\(screen)")
        #expect(beginning < first)
        #expect(!top.contains { $0.contains(Self.label(0)) })
        // The oldest messages come in order: 001, 002, … down the screen.
        let labels = top.compactMap { row in row.range(of: "<Seeder> msg ").map { String(row[$0.upperBound...].prefix(3)) } }
        #expect(labels == labels.sorted() && labels.first == "001", "\(labels)")
        seeder.closeInput()
        _ = await seeder.waitForExit()
    }

    /// With a scrollback of 250 lines, paging back through 1,000 stored messages still reaches the beginning (messages
    /// far below the view are unloaded), and paging down again shows every message in order: each unloaded run is
    /// fetched again as it comes into view.
    @Test func aSmallScrollbackStillPagesThroughEverythingAndBack() async throws {
        defer { tmux.kill() }
        let gateway = try await lobby.startGateway(["--store", "memory", "--no-limits"])
        defer { gateway.signal(SIGTERM) }
        let seeder = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Seeder"], environment: lobby.environment)
        try await seeder.waitForLine("granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }
        let total = 1_000
        let label = { (n: Int) in "msg " + String(format: "%04d", n) }
        for n in 1...total { seeder.type(label(n)) }
        try await seeder.waitForLine("the last echo", timeout: .seconds(60)) { $0.hasSuffix("<Seeder> \(label(total))") }
        try await tmux.start(
            "ann", columns: 100, rows: 30,
            command: [
                ChildProcess.executable("ozchat").path, "127.0.0.1:\(lobby.port)", "tok", "--nick", "Ann", "--history", "100", "--scrollback", "250",
            ],
            environment: lobby.environment)
        _ = try await tmux.waitForScreen("ann", "the backlog", timeout: .seconds(30)) { $0.contains("history above: 100 messages") }
        func numbers(_ screen: String) -> [Int] {
            screen.split(separator: "\n").compactMap { row in row.range(of: "<Seeder> msg ").flatMap { Int(row[$0.upperBound...].prefix(4)) } }
        }
        /// Presses `key` and waits until the screen has left `before` (a loaded machine may draw the page late: a capture
        /// of the old one would skip a page), no line on it is loading or not loaded, and it has stopped changing (a
        /// capture may catch a frame half drawn).
        func press(_ key: String, from before: String) async throws -> String {
            try await tmux.press("ann", key)
            var screen = ""
            while true {
                let next = try await tmux.waitForScreen("ann", "a settled screen after \(key)", timeout: .seconds(30)) {
                    $0 != before && !$0.contains("loading older messages") && !$0.contains("not loaded here")
                }
                if next == screen { return screen }
                screen = next
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        var screen = ""
        var presses = 0
        while !screen.contains("beginning of history"), presses < 400 {
            screen = try await press("PageUp", from: screen)
            presses += 1
        }
        #expect(screen.contains("beginning of history"), "after \(presses) PgUp:\n\(screen)")
        #expect(numbers(screen).first == 1)
        var seen = numbers(screen)
        presses = 0
        while !screen.contains("history above: 100 messages"), presses < 400 {
            screen = try await press("PageDown", from: screen)
            presses += 1
            let shown = numbers(screen)
            #expect(shown == Array((shown.first ?? 0)..<((shown.first ?? 0) + shown.count)), "not in order:\n\(screen)")
            seen += shown
        }
        // Every message was on screen on the way down, in order.
        #expect(Set(seen) == Set(1...total), "missing: \(Set(1...total).subtracting(seen).sorted().prefix(20))")
        seeder.closeInput()
        _ = await seeder.waitForExit()
    }

    /// Ann's message whose echo is lost with her connection shows pending (`…`) until the resumed history confirms it;
    /// what Bob said meanwhile comes in above the "while you were away" marker, and Bob got Ann's message once.
    @Test func aPendingMessageIsShownUntilTheResumeConfirmsIt() async throws {
        defer { tmux.kill() }
        let gateway = try await lobby.startGateway(["--store", "memory"])
        defer { gateway.signal(SIGTERM) }
        let proxy = try CuttableProxy(targetPort: lobby.port)
        defer { proxy.stop() }
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Bob"], environment: lobby.environment)
        try await bob.waitForLine("granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }
        try await tmux.start(
            "ann", columns: 100, rows: 30, command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(proxy.port)", "tok", "--nick", "Ann"],
            environment: lobby.environment)
        try await bob.waitForLine("Ann online", timeout: .seconds(30)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }

        proxy.hold(.down)
        try await tmux.type("ann", "is this delivered")
        try await tmux.press("ann", "Enter")
        try await tmux.waitForScreen("ann", "the pending line", timeout: .seconds(30)) { $0.contains("<Ann> is this delivered …") }
        try await bob.waitForLine("Ann's message", timeout: .seconds(30)) { $0.hasSuffix(" <Ann> is this delivered") }
        proxy.cut()
        try await tmux.waitForScreen("ann", "the drop", timeout: .seconds(30)) { $0.contains("CONNECTION_CLOSED") }
        bob.type("said while Ann was away")
        try await bob.waitForLine("Bob's echo", timeout: .seconds(30)) { $0.hasSuffix(" <Bob> said while Ann was away") }
        proxy.restore()
        let resumed = try await tmux.waitForScreen("ann", "the resume", timeout: .seconds(60)) {
            $0.contains("said while you were away above") && !$0.contains("is this delivered …")
        }
        #expect(resumed.contains("<Ann> is this delivered"))
        #expect(resumed.contains("<Bob> said while Ann was away"))
        #expect(resumed.components(separatedBy: "is this delivered").count == 2, "shown once:\n\(resumed)")
        try await tmux.type("ann", "next")
        try await tmux.press("ann", "Enter")
        try await bob.waitForLine("next", timeout: .seconds(30)) { $0.hasSuffix(" <Ann> next") }
        #expect(bob.lines.filter { $0.hasSuffix("<Ann> is this delivered") }.count == 1)
        bob.closeInput()
        _ = await bob.waitForExit()
    }

    /// A gateway restarted mid-conversation (SIGTERM, then the same port and SQLite store) loses nothing on screen: what
    /// Bob says while it is down and after it is back appears once, in order, and Ann's screen keeps what came before.
    @Test func aGatewayRestartMidConversationLosesNothingOnScreen() async throws {
        defer { tmux.kill() }
        let store = ["--store", "sqlite:\(lobby.folder.appendingPathComponent("h.sqlite").path)"]
        var gateway = try await lobby.startGateway(store)
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Bob"], environment: lobby.environment)
        try await bob.waitForLine("granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }
        try await tmux.start(
            "ann", columns: 100, rows: 30, command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(lobby.port)", "tok", "--nick", "Ann"],
            environment: lobby.environment)
        try await bob.waitForLine("Ann online", timeout: .seconds(30)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }
        bob.type("one before the restart")
        try await tmux.waitForScreen("ann", "the first message", timeout: .seconds(30)) { $0.contains("<Bob> one before the restart") }

        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
        try await tmux.waitForScreen("ann", "the gateway gone", timeout: .seconds(30)) { $0.contains("CONNECTION_CLOSED") }
        gateway = try await lobby.startGateway(store)
        defer { gateway.signal(SIGTERM) }
        // Bob is back first and talks; Ann comes back on her own and resumes.
        try await bob.waitForLine("Bob back", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        bob.type("two while Ann reconnects")
        bob.type("three after the restart")
        let screen = try await tmux.waitForScreen("ann", "everything after the restart", timeout: .seconds(90)) {
            $0.contains("<Bob> two while Ann reconnects") && $0.contains("<Bob> three after the restart")
        }
        for text in ["one before the restart", "two while Ann reconnects", "three after the restart"] {
            #expect(screen.components(separatedBy: "<Bob> \(text)").count == 2, "\(text) shown once:\n\(screen)")
        }
        let rows = screen.split(separator: "\n").map(String.init)
        let order = ["one before", "two while", "three after"].compactMap { text in rows.firstIndex { $0.contains("<Bob> \(text)") } }
        #expect(order == order.sorted() && order.count == 3, "in order:\n\(screen)")
        bob.closeInput()
        _ = await bob.waitForExit()
    }
}
