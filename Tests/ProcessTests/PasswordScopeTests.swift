import Foundation
import OzProtocol
import Testing

/// An extension's password goes only to the server it was given for (issue #12, item 2): `ozchat --plain` logged in as
/// an extension on one real ozgate `/connect`s elsewhere — to a recording WebSocket server, to a second real ozgate
/// with the same extension — and back, as a user would.
@Suite("a password goes only to its server", .serialized)
struct PasswordScopeTests {
    /// The `Password` property of every `connect` frame the recorder got, in order (nil: none sent).
    static func passwords(_ recorder: HostileGateway) -> [String?] {
        recorder.received.compactMap { text -> String?? in
            guard case .connect(_, let properties, _) = try? ClientFrame(bytes: Array(text.utf8)) else { return nil }
            return .some(properties["Password"]?.stringValue)
        }
    }

    @Test func plainConnectElsewhereDropsThePasswordUnlessGivenAgain() async throws {
        let first = try LobbyFixture(extraConfig: LobbyFixture.extensionConfig)
        let firstGateway = try await first.startGateway()
        let second = try LobbyFixture(extraConfig: LobbyFixture.extensionConfig)
        let secondGateway = try await second.startGateway()
        let recorder = try await HostileGateway.start(quiet: true)

        let john = try ChildProcess(
            "ozchat", ["--plain", "127.0.0.1:\(first.port)", "1500", "--nick", "John"],
            environment: first.environment.merging(["OZCHAT_PASSWORD": "12345678"]) { _, new in new })
        let grant = try await john.waitForLine("granted as the extension") { $0.contains(" ACCESS_GRANTED ") }
        let number = try #require(grant.firstMatch(of: #/number=(\S+)/#)).1

        // The same server: /nick and another spelling of the address keep the password.
        john.type("/nick Johnny")
        try await john.waitForLine("granted after /nick", count: 2) { $0.contains(" ACCESS_GRANTED ") }
        john.type("/connect ws://127.0.0.1:\(first.port)/ 1500")
        try await john.waitForLine("granted at the same server spelled otherwise", count: 3) { $0.contains(" ACCESS_GRANTED ") }

        // Another server gets no password.
        john.type("/connect 127.0.0.1:\(recorder.port) sometoken")
        try await john.waitForLine("granted by the recorder") { $0.contains(" ACCESS_GRANTED ") && $0.hasSuffix("room=recorder") }
        #expect(Self.passwords(recorder) == [nil])
        john.type("/connect 127.0.0.1:\(second.port) 1500")
        let denied = try await john.waitForLine("denied by the second gateway") { $0.contains(" ACCESS_DENIED ") }
        #expect(denied.contains("needs properties.Password"))
        // Nor does the first one again: the password was given for it once, and dropped when the server changed.
        john.type("/connect 127.0.0.1:\(first.port) 1500")
        let deniedAgain = try await john.waitForLine("denied by the first gateway", count: 2) { $0.contains(" ACCESS_DENIED ") }
        #expect(deniedAgain.contains("needs properties.Password"))

        // A password given with the /connect goes to that server.
        john.type("/connect 127.0.0.1:\(recorder.port) other --password s3cret")
        try await john.waitForLine("granted by the recorder again", count: 2) { $0.contains(" ACCESS_GRANTED ") && $0.hasSuffix("room=recorder") }
        #expect(Self.passwords(recorder) == [nil, "s3cret"])
        john.type("/connect 127.0.0.1:\(first.port) 1500 --password 12345678")
        try await john.waitForLine("granted with the password given again", count: 4) {
            $0.contains(" ACCESS_GRANTED ") && !$0.hasSuffix("room=recorder")
        }

        // /whois shows us as peers see us: without the password.
        john.type("/whois \(number)")
        try await john.waitForLine("whois") { $0.hasSuffix(" INFO Johnny (\(number))") }
        try await john.waitForLine("whois properties") { $0.hasSuffix(" INFO   Nickname: Johnny") }
        john.type("/quit")
        #expect(await john.waitForExit() == 0)
        #expect(!john.stdout.contains("12345678") && !john.stdout.contains("s3cret"))
        for line in john.lines { #expect(OzChatPlainTests.isDocumented(line), "undocumented line: \(line)") }
        await recorder.stop()
        for gateway in [firstGateway, secondGateway] {
            gateway.signal(SIGTERM)
            _ = await gateway.waitForExit()
        }
    }

    @Test func thePromptShowsNoPasswordForAnotherServerAndSendsNone() async throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let first = try LobbyFixture(extraConfig: LobbyFixture.extensionConfig)
        let firstGateway = try await first.startGateway()
        let second = try LobbyFixture(extraConfig: LobbyFixture.extensionConfig)
        let secondGateway = try await second.startGateway()
        try await tmux.start(
            "john", command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(first.port)", "1500", "--nick", "John"],
            environment: first.environment.merging(["OZCHAT_PASSWORD": "12345678"]) { _, new in new })
        try await tmux.waitForScreen("john", "granted as the extension") { $0.contains("ACCESS_GRANTED: you are") }

        // The prompt opens with the password given for this server (masked); another server empties the field.
        try await tmux.press("john", "F2")
        let prompt = try await tmux.waitForScreen("john", "the prompt") { $0.contains("Password") && $0.contains("Esc cancel") }
        #expect(Self.passwordRow(prompt).contains("********"))
        try await tmux.press("john", "C-u")
        try await tmux.type("john", "127.0.0.1:\(second.port)")
        let other = try await tmux.waitForScreen("john", "the other server typed") { $0.contains("127.0.0.1:\(second.port)") }
        #expect(!Self.passwordRow(other).contains("*"))
        try await tmux.press("john", "Enter")
        // The log line may be under the prompt that the denial reopens; the prompt's message says it too.
        try await tmux.waitForScreen("john", "denied by the second gateway for want of a password") { $0.contains("needs properties.Password") }
        for gateway in [firstGateway, secondGateway] {
            gateway.signal(SIGTERM)
            _ = await gateway.waitForExit()
        }
    }

    /// The prompt's Password row.
    static func passwordRow(_ screen: String) -> String {
        screen.split(separator: "\n").first { $0.contains(" Password ") }.map(String.init) ?? ""
    }
}
