import Foundation
import Testing

/// Pasting into the real ozchat UI in tmux (bracketed paste, `paste-buffer -p`), against a real ozgate with a peer
/// (`ozchat --plain`) that reports what it receives: a paste is text, never keys or commands.
@Suite("ozchat UI: pasting (tmux)", .serialized)
struct TUIPasteTests {
    let tmux = Tmux()
    let lobby: LobbyFixture

    init() throws {
        lobby = try LobbyFixture()
    }

    func startChat(_ name: String, nick: String) async throws {
        try await tmux.start(
            name, command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(lobby.port)", "tok", "--nick", nick],
            environment: lobby.environment)
        try await tmux.waitForScreen(name, "granted") { $0.contains("ACCESS_GRANTED: you are") }
    }

    /// The input line (the screen's last row).
    static func inputLine(_ screen: String) -> String {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).last { $0.hasPrefix(">") } ?? ""
    }

    @Test func aMultiLinePasteWaitsForEnterAndIsSentAsTextLineByLine() async throws {
        defer { tmux.kill() }
        let gateway = try await lobby.startGateway()
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Bob"])
        try await bob.waitForLine("granted") { $0.contains(" ACCESS_GRANTED ") }
        try await startChat("ann", nick: "Ann")
        try await bob.waitForLine("Ann online") { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }

        try await tmux.paste("ann", "hello\n/connect evil:7779 x\nbye")
        // Shown in the input with its line breaks, and nothing sent or run yet.
        let shown = try await tmux.waitForScreen("ann", "the paste in the input line") {
            Self.inputLine($0).contains("hello↵/connect evil:7779 x↵bye")
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(!bob.stdout.contains("<Ann>"))
        #expect(!shown.contains("CONNECTING to evil"))

        try await tmux.press("ann", "Enter")
        try await bob.waitForLine("the last pasted line") { $0.hasSuffix("<Ann> bye") }
        let messages = bob.lines.filter { $0.contains("<Ann>") }.map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        #expect(messages == ["<Ann> hello", "<Ann> /connect evil:7779 x", "<Ann> bye"])
        let after = try await tmux.waitForScreen("ann", "the three lines in Ann's log") { $0.contains("<Ann> bye") }
        #expect(!after.contains("CONNECTING to evil"))
        #expect(Self.inputLine(after).trimmingCharacters(in: .whitespaces) == ">")
        // Ann never left: no reconnect, no second session.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!bob.stdout.contains(" OFFLINE "))
        #expect(after.contains("ACCESS_GRANTED"))

        // Typed text after a paste that starts with `/` is still text, and a typed command with a pasted line break is
        // refused, not run.
        try await tmux.paste("ann", "/quit")
        try await tmux.type("ann", " now")
        try await tmux.press("ann", "Enter")
        try await bob.waitForLine("the pasted /quit as text") { $0.hasSuffix("<Ann> /quit now") }
        try await tmux.type("ann", "/nick ")
        try await tmux.paste("ann", "Eve\n")
        try await tmux.press("ann", "Enter")
        try await tmux.waitForScreen("ann", "the refusal") { $0.contains("a command is one line") }
        #expect(!(try await tmux.screen("ann")).contains("reconnecting as"))

        bob.closeInput()
        _ = await bob.waitForExit()
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func aPasteWithoutItsEndMarkerEndsByItselfAndTheInputGoesOn() async throws {
        defer { tmux.kill() }
        let gateway = try await lobby.startGateway()
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Bob"])
        try await bob.waitForLine("granted") { $0.contains(" ACCESS_GRANTED ") }
        try await startChat("ann", nick: "Ann")
        // A start marker and text, and no end marker (a terminal that lost it).
        try await tmux.type("ann", "\u{1B}[200~/quit\r")
        try await tmux.waitForScreen("ann", "the cut paste in the input") { Self.inputLine($0).contains("/quit↵") }
        try await tmux.type("ann", "typed")
        try await tmux.press("ann", "Enter")
        try await bob.waitForLine("the paste sent as text") { $0.hasSuffix("<Ann> typed") }
        #expect(
            bob.lines.filter { $0.contains("<Ann>") }.map { String($0.split(separator: " ", maxSplits: 1)[1]) } == ["<Ann> /quit", "<Ann> typed"])
        bob.closeInput()
        _ = await bob.waitForExit()
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func bracketedPasteIsOffAgainAfterQuittingAndAfterASignal() async throws {
        defer { tmux.kill() }
        let gateway = try await lobby.startGateway()
        for (name, ending) in [("quit", "C-c"), ("signal", "SIGHUP")] {
            try await startChat(name, nick: name)
            if ending == "SIGHUP" {
                for pid in try await tmux.programs(in: name) { kill(pid, SIGHUP) }
            } else {
                try await tmux.press(name, ending)
            }
            try await tmux.waitForScreen(name, "ozchat's exit") { $0.contains("EXITED") }
            // The shell's `sleep` now owns the terminal, in cooked mode: a bracketed paste would echo its markers.
            try await tmux.paste(name, "pasted-after-exit")
            let screen = try await tmux.waitForScreen(name, "the paste echoed") { $0.contains("pasted-after-exit") }
            #expect(!screen.contains("[200~"), "\(name): bracketed paste still on:\n\(screen)")
        }
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }
}
