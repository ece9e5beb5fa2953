import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// ozgate's web switch as an operator uses it (issue 16): on by default, `--web off` or a config file's `web = false`
/// turns OzWebClient.js and the chatroom off, and the command line wins over the file.
@Suite("ozgate web switch", .serialized)
struct OzGateWebTests {
    /// Starts ozgate with `arguments`, asks for /OzWebClient.js and stops it; the status and ozgate's standard output.
    private func libraryStatus(_ arguments: [String], config: String? = nil) async throws -> (status: Int, stdout: String) {
        let folder = try TemporaryFolder.make()
        var all = ["--port", "0", "--token-file", folder.appendingPathComponent("gateway").path] + arguments
        if let config {
            let file = folder.appendingPathComponent("gate.toml")
            try config.write(to: file, atomically: true, encoding: .utf8)
            all += ["--config", file.path]
        }
        let gateway = try ChildProcess("ozgate", all)
        let listening = try await gateway.waitForLine("listening", timeout: .seconds(60)) { $0.hasPrefix("listening on ws://") }
        let base = listening.dropFirst("listening on ws://".count).trimmingCharacters(in: .whitespaces)
        var request = URLRequest(url: URL(string: "http://\(base)OzWebClient.js")!)
        request.timeoutInterval = 30
        let (_, response) = try await URLSession.shared.data(for: request)
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, gateway.stdout)
    }

    private let lobby = "[[line]]\nname = \"lobby\"\ntoken = \"t\"\n"

    @Test func onByDefaultAndSaysWhere() async throws {
        let (status, stdout) = try await libraryStatus([])
        #expect(status == 200)
        #expect(stdout.contains("web chatroom on http://127.0.0.1:"))
        // The embedded default (no --config) also prints an invite link with its lobby token.
        let token = try #require(stdout.split(separator: "\n").first { $0.hasPrefix("lobby token: ") }).dropFirst("lobby token: ".count)
        #expect(stdout.contains("web invite: http://127.0.0.1:") && stdout.contains("/?token=\(token)\n"))
    }

    @Test func offFromTheCommandLineOrTheConfigFile() async throws {
        let byFlag = try await libraryStatus(["--web", "off"])
        #expect(byFlag.status == 426)
        #expect(!byFlag.stdout.contains("web chatroom"))
        #expect(try await libraryStatus([], config: "web = false\n" + lobby).status == 426)
        #expect(try await libraryStatus(["--web", "on"], config: "web = false\n" + lobby).status == 200, "the command line wins")
        #expect(try await libraryStatus([], config: "web = true\n" + lobby).status == 200)
    }

    @Test(arguments: [
        (["--web", "maybe"], "--web"), (["--web", "off", "--web-dir", "/tmp"], "--web-dir"),
        (["--web-dir", "/nonexistent/ozgate-web"], "no such folder"),
    ])
    func badWebOptionsAreUsageErrors(arguments: [String], mention: String) async throws {
        let run = try ChildProcess("ozgate", ["--port", "0"] + arguments)
        #expect(await run.waitForExit() == 64)
        #expect(run.stderr.contains(mention), "\(run.stderr)")
    }
}
