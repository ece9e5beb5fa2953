import Foundation
import TestSupport
import Testing

/// `ozgate --tls-cert/--tls-key` and `ozchat --ca` as a user runs them, with certificates made for the test.
@Suite("TLS end to end (processes)", .serialized)
struct TLSProcessTests {
    let folder: URL
    let config: URL

    init() throws {
        folder = try TestPKI().writeFiles()
        config = folder.appendingPathComponent("gate.toml")
        try "[[line]]\nname = \"lobby\"\ntoken = \"tok\"\n".write(to: config, atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Starts a TLS gateway on a free port (or `port`); returns it and its port.
    func startGateway(certificate: String = "cert.pem", key: String = "key.pem", port: Int? = nil) async throws -> (ChildProcess, Int) {
        let port = try port ?? TemporaryFolder.freePort()
        let gateway = try ChildProcess(
            "ozgate", ["--config", config.path, "--port", "\(port)", "--tls-cert", path(certificate), "--tls-key", path(key)])
        try await gateway.waitForLine("listening") { $0.hasPrefix("listening on ") }
        return (gateway, port)
    }

    @Test func twoPlainClientsChatOverWSSWithThePrivateCAAndSurviveAGatewayKill() async throws {
        var (gateway, port) = try await startGateway()
        #expect(gateway.lines.first == "listening on wss://127.0.0.1:\(port)/")
        let address = "wss://127.0.0.1:\(port)/"
        let ann = try ChildProcess("ozchat", ["--plain", address, "tok", "--nick", "Ann", "--ca", path("ca.pem")])
        try await ann.waitForLine("Ann granted") { $0.contains(" ACCESS_GRANTED ") }
        let bob = try ChildProcess("ozchat", ["--plain", address, "tok", "--nick", "Bob", "--ca", path("ca.pem")])
        try await bob.waitForLine("Bob granted") { $0.contains(" ACCESS_GRANTED ") }
        try await ann.waitForLine("Bob online") { $0.contains(" ONLINE ") && $0.hasSuffix(" Bob") }
        ann.type("hello over TLS")
        try await bob.waitForLine("Ann's message") { $0.hasSuffix(" <Ann> hello over TLS") }
        bob.type("/msg Ann just for you")
        try await ann.waitForLine("Bob's private message") { $0.hasSuffix("[private] <Bob> just for you") }

        // A gateway killed without a TLS close_notify is a lost connection, as over ws://; both come back on their own.
        gateway.signal(SIGKILL)
        _ = await gateway.waitForExit()
        for client in [ann, bob] {
            let closed = try await client.waitForLine("closed") { $0.contains(" CONNECTION_CLOSED ") }
            #expect(closed.contains("reason=\"lost: the connection closed\" retry_in="), "\(closed)")
        }
        (gateway, _) = try await startGateway(port: port)
        for client in [ann, bob] {
            try await client.waitForLine("granted again", count: 2, timeout: .seconds(40)) { $0.contains(" ACCESS_GRANTED ") }
        }
        try await ann.waitForLine("Bob back", count: 2, timeout: .seconds(40)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Bob") }
        bob.type("back over TLS")
        try await ann.waitForLine("a message after the restart") { $0.hasSuffix(" <Bob> back over TLS") }

        ann.type("/quit")
        bob.closeInput()
        #expect(await ann.waitForExit() == 0)
        #expect(await bob.waitForExit() == 0)
        for client in [ann, bob] {
            for line in client.lines { #expect(OzChatPlainTests.isDocumented(line), "undocumented line: \(line)") }
        }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
        #expect(gateway.stderr.contains("msg=listening") && gateway.stderr.contains("url=wss://127.0.0.1:\(port)/"))
        #expect(gateway.stderr.contains("msg=connect"))
    }

    @Test func withoutTheCAThePlainClientReportsTheCertificateAndStops() async throws {
        let (gateway, port) = try await startGateway()
        let client = try ChildProcess("ozchat", ["--plain", "wss://127.0.0.1:\(port)/", "tok"])
        let failed = try await client.waitForLine("the failure") { $0.contains(" CONNECTION_FAILED ") }
        #expect(failed.hasSuffix(" CONNECTION_FAILED reason=\"TLS: certificate not trusted (unknown issuer)\" retry=none"))
        #expect(OzChatPlainTests.isDocumented(failed))
        try await Task.sleep(for: .seconds(1))
        #expect(client.lines.filter { $0.contains(" CONNECTING ") }.count == 1, "not retried: \(client.stdout)")
        // /reconnect is the user's decision: it tries again (and fails the same way).
        client.type("/reconnect")
        try await client.waitForLine("the second failure", count: 2) { $0.contains(" CONNECTION_FAILED ") }
        client.type("/quit")
        #expect(await client.waitForExit() == 0)
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
        #expect(gateway.stderr.contains("msg=\"tls handshake failed\""))
        #expect(gateway.stderr.contains("unknown CA"))
    }

    @Test func theTerminalUITrustsTheCAItIsGiven() async throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let (gateway, port) = try await startGateway()
        let ozchat = ChildProcess.executable("ozchat").path
        let environment = ["XDG_STATE_HOME": folder.path, "HOME": folder.path]
        try await tmux.start(
            "ann", command: [ozchat, "wss://127.0.0.1:\(port)/", "tok", "--nick", "Ann", "--ca", path("ca.pem")], environment: environment)
        try await tmux.waitForScreen("ann", "granted") { $0.contains("ACCESS_GRANTED") }
        try await tmux.start("bob", command: [ozchat, "wss://127.0.0.1:\(port)/", "tok", "--nick", "Bob"], environment: environment)
        try await tmux.waitForScreen("bob", "the certificate failure") { $0.contains("CONNECTION_FAILED") && $0.contains("certificate not trusted") }
        try await tmux.press("ann", "C-c")
        try await tmux.waitForScreen("ann", "exit") { $0.contains("EXITED 0") }
        try await tmux.press("bob", "C-c")
        try await tmux.waitForScreen("bob", "exit") { $0.contains("EXITED 0") }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }

    @Test func certificateForAnotherHostIsReported() async throws {
        let (gateway, port) = try await startGateway(certificate: "wrong-host-cert.pem", key: "wrong-host-key.pem")
        let client = try ChildProcess("ozchat", ["--plain", "wss://127.0.0.1:\(port)/", "tok", "--ca", path("ca.pem")])
        let failed = try await client.waitForLine("the failure") { $0.contains(" CONNECTION_FAILED ") }
        #expect(failed.hasSuffix(" CONNECTION_FAILED reason=\"TLS: certificate is not valid for 127.0.0.1\" retry=none"))
        client.closeInput()
        #expect(await client.waitForExit() == 0)
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }

    @Test func ozgateNeedsBothTLSFlags() async throws {
        for arguments in [["--tls-cert", path("cert.pem")], ["--tls-key", path("key.pem")]] {
            let run = try ChildProcess("ozgate", ["--port", "0", "--token-file", path("state")] + arguments)
            #expect(await run.waitForExit() == 64)
            #expect(run.stderr.contains("give both --tls-cert and --tls-key"), "\(run.stderr)")
            #expect(!run.stdout.contains("listening"))
        }
    }

    @Test func ozgateRefusesBadTLSFilesAsAConfigError() async throws {
        try "garbage\n".write(toFile: path("garbage.pem"), atomically: true, encoding: .utf8)
        let cases: [(certificate: String, key: String, message: String)] = [
            (
                path("missing.pem"), path("key.pem"),
                "ozgate: config error: cannot read the TLS certificate \(path("missing.pem")): No such file or directory"
            ),
            (
                path("cert.pem"), path("missing.pem"),
                "ozgate: config error: cannot read the TLS key \(path("missing.pem")): No such file or directory"
            ),
            (path("garbage.pem"), path("key.pem"), "ozgate: config error: TLS certificate \(path("garbage.pem")): no PEM certificate in it"),
            (path("cert.pem"), path("garbage.pem"), "ozgate: config error: TLS key \(path("garbage.pem")): not a PEM private key"),
            (
                path("cert.pem"), path("wrong-host-key.pem"),
                "ozgate: config error: TLS key \(path("wrong-host-key.pem")) does not match the certificate \(path("cert.pem"))"
            ),
        ]
        for entry in cases {
            let run = try ChildProcess("ozgate", ["--config", config.path, "--port", "0", "--tls-cert", entry.certificate, "--tls-key", entry.key])
            #expect(await run.waitForExit() == 78)
            #expect(run.stderr.contains(entry.message), "\(run.stderr)")
            #expect(!run.stdout.contains("listening"))
        }
    }

    @Test func ozchatRefusesABadCAFileAsAUsageError() async throws {
        let cases: [(file: String, message: String)] = [
            (path("missing.pem"), "--ca \(path("missing.pem")): no such file"),
            (path("key.pem"), "--ca \(path("key.pem")): it holds a private key, not a certificate"),
            (path("gate.toml"), "--ca \(path("gate.toml")): no PEM certificate in it"),
        ]
        for entry in cases {
            let run = try ChildProcess("ozchat", ["--plain", "wss://127.0.0.1:1/", "tok", "--ca", entry.file])
            #expect(await run.waitForExit() == 64)
            #expect(run.stderr.contains(entry.message), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }
}
