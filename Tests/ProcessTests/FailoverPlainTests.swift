import Foundation
import Testing

/// `ozchat --plain` with several servers for one room (issue 15): `--server` repeatable and a saved room's `servers`,
/// tried in order, the printed `CONNECTING` lines naming each.
@Suite("ozchat --plain with several servers", .serialized)
struct FailoverPlainTests {
    /// The server a `CONNECTING` line names, with its place: `127.0.0.1:7781 (2 of 2)`.
    static func tried(_ lines: [String]) -> [String] {
        lines.compactMap { line in line.range(of: " CONNECTING ").flatMap { _ in line.range(of: "server=") }.map { String(line[$0.upperBound...]) } }
    }

    /// Waits for the grant, then checks the lines: a refused first server, then the live one, every line documented.
    func expectPassedOver(_ client: ChildProcess, dead: Int, live: Int) async throws {
        try await client.waitForLine("granted", timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        let lines = client.lines
        #expect(Self.tried(lines) == ["127.0.0.1:\(dead) (1 of 2)", "127.0.0.1:\(live) (2 of 2)"], "\(client.stdout)")
        let failed = lines.firstIndex { $0.contains(" CONNECTION_FAILED reason=\"connection refused\" retry_in=") }
        let second = lines.firstIndex { $0.contains(" CONNECTING attempt=1 server=127.0.0.1:\(live) (2 of 2)") }
        let granted = lines.firstIndex { $0.contains(" ACCESS_GRANTED number=") }
        #expect(failed != nil && second != nil && granted != nil)
        if let failed, let second, let granted { #expect(failed < second && second < granted, "\(client.stdout)") }
        for line in lines { #expect(OzChatPlainTests.isDocumented(line), "undocumented line: \(line)") }
    }

    @Test func aDeadFirstServerIsPassedOverForTheNextGivenWithServer() async throws {
        let lobby = try LobbyFixture()
        let gateway = try await lobby.startGateway()
        let dead = try TemporaryFolder.freePort()
        let client = try ChildProcess(
            "ozchat", ["--plain", "--server", "127.0.0.1:\(dead)", "--server", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Ann"],
            environment: lobby.environment)
        try await expectPassedOver(client, dead: dead, live: lobby.port)
        client.type("/quit")
        #expect(await client.waitForExit() == 0)
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func theServerArgumentComesBeforeEachServerOption() async throws {
        let lobby = try LobbyFixture()
        let gateway = try await lobby.startGateway()
        let dead = try TemporaryFolder.freePort()
        let client = try ChildProcess(
            "ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--server", "127.0.0.1:\(dead)"], environment: lobby.environment)
        try await client.waitForLine("granted", timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        #expect(Self.tried(client.lines) == ["127.0.0.1:\(lobby.port) (1 of 2)"])
        client.closeInput()
        #expect(await client.waitForExit() == 0)
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func aSavedRoomsServersAreTriedInTheFilesOrder() async throws {
        let lobby = try LobbyFixture()
        let gateway = try await lobby.startGateway()
        let dead = try TemporaryFolder.freePort()
        let config = lobby.folder.appendingPathComponent("ozchat.toml")
        try """
        [[room]]
        name = "cluster"
        servers = ["127.0.0.1:\(dead)", "127.0.0.1:\(lobby.port)"]
        token = "tok"
        """.write(to: config, atomically: true, encoding: .utf8)
        chmod(config.path, 0o600)
        let client = try ChildProcess("ozchat", ["--plain", "--config", config.path, "cluster"], environment: lobby.environment)
        try await expectPassedOver(client, dead: dead, live: lobby.port)
        client.closeInput()
        #expect(await client.waitForExit() == 0)
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func serverOptionsWithoutATokenOrWithABadAddressAreUsageErrors() async throws {
        let noToken = try ChildProcess("ozchat", ["--plain", "--server", "127.0.0.1"])
        #expect(await noToken.waitForExit() == 64)
        #expect(noToken.stderr.contains("--server needs a TOKEN"))
        let bad = try ChildProcess("ozchat", ["--plain", "127.0.0.1", "tok", "--server", "http://x"])
        #expect(await bad.waitForExit() == 64)
        #expect(bad.stderr.contains("SERVER \"http://x\""))
    }
}
