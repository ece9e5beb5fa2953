import Foundation
import Testing

/// Runs the real `ozgate` executable as a user would.
@Suite("ozgate executable", .serialized)
struct OzGateProcessTests {
    @Test func embeddedDefaultPrintsItsAddressAndTokenKeepsTheTokenAndExitsZeroOnSIGTERM() async throws {
        let tokenFile = try TemporaryFolder.make().appendingPathComponent("state/gateway").path
        let first = try ChildProcess("ozgate", ["--port", "0", "--token-file", tokenFile])
        try await first.waitForLine("the token") { $0.hasPrefix("lobby token: ") }
        let listening = try #require(first.lines.first { $0.hasPrefix("listening on ws://127.0.0.1:") })
        #expect(listening.hasSuffix("/"))
        let token = try #require(first.lines.first { $0.hasPrefix("lobby token: ") }).dropFirst("lobby token: ".count)
        #expect(token.count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: tokenFile, encoding: .utf8)
        #expect(text.contains("token=\(token)\n") && text.contains("server=ws://127.0.0.1:"))
        first.signal(SIGTERM)
        #expect(await first.waitForExit() == 0)

        let second = try ChildProcess("ozgate", ["--port", "0", "--token-file", tokenFile])
        try await second.waitForLine("the same token") { $0 == "lobby token: \(token)" }
        second.signal(SIGINT)
        #expect(await second.waitForExit() == 0)
    }

    /// SIGTERM and SIGINT each start the graceful shutdown (ozgate runs as a ServiceGroup): every member is told
    /// `CONNECTION_CLOSED` reason `shutdown`, the gateway says `shutting down` and exits 0.
    @Test(arguments: [SIGTERM, SIGINT]) func aSignalClosesEveryMemberWithShutdownAndExitsZero(signal: Int32) async throws {
        let lobby = try LobbyFixture()
        let gateway = try await lobby.startGateway()
        let members = try ["Ann", "Bob"].map { nick in
            try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", nick], environment: lobby.environment)
        }
        for member in members { try await member.waitForLine("granted") { $0.contains(" ACCESS_GRANTED ") } }
        gateway.signal(signal)
        for member in members {
            try await member.waitForLine("closed for shutdown") { $0.contains(" CONNECTION_CLOSED reason=shutdown ") }
        }
        #expect(await gateway.waitForExit() == 0)
        #expect(gateway.lines.contains("shutting down"))
        for member in members {
            member.signal(SIGTERM)
            #expect(await member.waitForExit() == 0)
        }
    }

    @Test func configErrorNamesFileAndLineAndTheGatewayDoesNotStart() async throws {
        let config = try TemporaryFolder.make().appendingPathComponent("gate.toml")
        try "[[line]]\nname = \"lobby\"\ntoken = \"t\"\ncolour = \"blue\"\n".write(to: config, atomically: true, encoding: .utf8)
        let run = try ChildProcess("ozgate", ["--config", config.path, "--port", "0"])
        #expect(await run.waitForExit() == 78)
        #expect(run.stderr.contains("\(config.path):4:"))
        #expect(!run.stdout.contains("listening"))
    }

    @Test func hashSecretOutputIsAcceptedByTheConfig() async throws {
        let tokenHash = try ChildProcess("ozgate", ["hash-secret", "--token"])
        tokenHash.type("tok-en")
        let token = try await tokenHash.waitForLine("a hash") { $0.hasPrefix("sha256$") }
        #expect(await tokenHash.waitForExit() == 0)
        let passwordHash = try ChildProcess("ozgate", ["hash-secret"])
        passwordHash.type("pass word")
        let password = try await passwordHash.waitForLine("a hash") { $0.hasPrefix("scrypt$") }
        #expect(await passwordHash.waitForExit() == 0)

        let config = try TemporaryFolder.make().appendingPathComponent("gate.toml")
        let toml =
            "[[line]]\nname = \"lobby\"\ntoken_hash = \"\(token)\"\n[[extension]]\nnumber = \"1500\"\npassword_hash = \"\(password)\"\nline = \"lobby\"\n"
        try toml.write(to: config, atomically: true, encoding: .utf8)
        let run = try ChildProcess("ozgate", ["--config", config.path, "--port", "0"])
        try await run.waitForLine("listening") { $0.hasPrefix("listening on ws://") }
        run.signal(SIGTERM)
        #expect(await run.waitForExit() == 0)
    }

    @Test func badCommandLineIsAUsageError() async throws {
        let run = try ChildProcess("ozgate", ["--port", "99999"])
        #expect(await run.waitForExit() == 64)
        #expect(run.stderr.contains("port"))
    }
}
