import Foundation
import Testing

/// Two `ozchat --plain` processes and an `ozgate` on loopback, as in the issue: they chat, and a SIGKILL and restart of
/// the gateway brings both back on their own. Every line is checked against the documented format.
@Suite("ozchat --plain end to end", .serialized)
struct OzChatPlainTests {
    /// The documented line shapes (README, "ozchat --plain").
    static func isDocumented(_ line: String) -> Bool {
        let stamp = #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#
        let patterns: [Regex<Substring>] = [
            #/^\S+ CONNECTING attempt=\d+ server=\S+(?: \(\d+ of \d+\))?$/#,
            #/^\S+ ACCESS_GRANTED number=\S+ room=\S+$/#,
            #/^\S+ ACCESS_DENIED reason=.+$/#,
            #/^\S+ CONNECTION_(?:FAILED|CLOSED) reason=.+ (?:retry=none|retry_in=\d+\.\d\ds retry_at=\S+)$/#,
            #/^\S+ (?:ONLINE|OFFLINE) \S+ .+$/#,
            #/^\S+ (?:\[private\] |\[private to .+\] )?<.+> .+$/#,
            #/^\S+ ERROR code=\S+ message=.+$/#,
            #/^\S+ INFO .+$/#,
            #/^\S+ HISTORY <.+> .+$/#,
            #/^\S+ GAP .+$/#,
        ]
        guard let first = line.split(separator: " ").first, (try? stamp.wholeMatch(in: String(first))) != nil else { return false }
        return patterns.contains { (try? $0.wholeMatch(in: line)) != nil }
    }

    func startGateway(config: URL, port: Int) async throws -> ChildProcess {
        let gateway = try ChildProcess("ozgate", ["--config", config.path, "--port", "\(port)"])
        try await gateway.waitForLine("listening") { $0.hasPrefix("listening on ws://") }
        return gateway
    }

    @Test func twoClientsChatAndSurviveAGatewayKill() async throws {
        let folder = try TemporaryFolder.make()
        let config = folder.appendingPathComponent("gate.toml")
        try "[[line]]\nname = \"lobby\"\ntoken = \"tok\"\n".write(to: config, atomically: true, encoding: .utf8)
        let port = try TemporaryFolder.freePort()
        var gateway = try await startGateway(config: config, port: port)

        let ann = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(port)", "tok", "--nick", "Ann"])
        try await ann.waitForLine("Ann granted") { $0.contains(" ACCESS_GRANTED ") }
        let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(port)", "tok", "--nick", "Bob"], environment: ["OZCHAT_PASSWORD": ""])
        try await bob.waitForLine("Bob granted") { $0.contains(" ACCESS_GRANTED ") }
        try await ann.waitForLine("Bob online") { $0.contains(" ONLINE ") && $0.hasSuffix(" Bob") }
        try await bob.waitForLine("Ann online") { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }

        ann.type("hello from Ann")
        try await bob.waitForLine("Ann's message") { $0.hasSuffix(" <Ann> hello from Ann") }
        bob.type("/msg Ann psst \u{1B}]0;pwned\u{07}")
        let secret = try await ann.waitForLine("the private message") { $0.contains("[private] <Bob> psst") }
        #expect(secret.hasSuffix("psst ^[]0;pwned^G"))
        try await bob.waitForLine("the private echo") { $0.contains("[private to Ann] <Bob> psst") }
        bob.type("/nonsense")
        try await bob.waitForLine("a hint") { $0.contains(" INFO unknown command /nonsense") }

        gateway.signal(SIGKILL)
        _ = await gateway.waitForExit()
        for client in [ann, bob] {
            try await client.waitForLine("closed") { $0.contains(" CONNECTION_CLOSED ") && $0.contains("retry_in=") }
            try await client.waitForLine("failed while the gateway is away") { $0.contains(" CONNECTION_FAILED reason=\"connection refused\"") }
        }
        gateway = try await startGateway(config: config, port: port)
        for client in [ann, bob] {
            try await client.waitForLine("granted again", count: 2, timeout: .seconds(40)) { $0.contains(" ACCESS_GRANTED ") }
        }
        try await bob.waitForLine("Ann back", count: 2, timeout: .seconds(40)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Ann") }
        ann.type("back again")
        try await bob.waitForLine("message after the restart") { $0.hasSuffix(" <Ann> back again") }

        ann.closeInput()
        bob.type("/quit")
        #expect(await ann.waitForExit() == 0)
        #expect(await bob.waitForExit() == 0)
        for client in [ann, bob] {
            for line in client.lines { #expect(Self.isDocumented(line), "undocumented line: \(line)") }
        }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }

    @Test func deniedIsReportedOnceAndNotRetried() async throws {
        let folder = try TemporaryFolder.make()
        let config = folder.appendingPathComponent("gate.toml")
        try "[[line]]\nname = \"lobby\"\ntoken = \"tok\"\n".write(to: config, atomically: true, encoding: .utf8)
        let port = try TemporaryFolder.freePort()
        let gateway = try await startGateway(config: config, port: port)
        let client = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(port)", "wrong"])
        let denied = try await client.waitForLine("denied") { $0.contains(" ACCESS_DENIED ") }
        #expect(denied.hasSuffix("ACCESS_DENIED reason=\"unknown token\""))
        try await Task.sleep(for: .seconds(1))
        #expect(client.lines.filter { $0.contains(" CONNECTING ") }.count == 1)
        client.type("/connect 127.0.0.1:\(port) tok --nick Fixed")
        try await client.waitForLine("granted with new credentials") { $0.contains(" ACCESS_GRANTED ") }
        client.signal(SIGTERM)
        #expect(await client.waitForExit() == 0)
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit()
    }

    @Test func badCommandLinesAreUsageErrors() async throws {
        let noToken = try ChildProcess("ozchat", ["--plain", "127.0.0.1"])
        #expect(await noToken.waitForExit() == 64)
        let badServer = try ChildProcess("ozchat", ["--plain", "http://x", "tok"])
        #expect(await badServer.waitForExit() == 64)
        #expect(badServer.stderr.contains("http"))
    }
}
