import Foundation

/// What the tests that run their own `ozgate` share: a private folder (also the processes' `XDG_STATE_HOME` and
/// `HOME`), a config with one line `lobby` (token `tok`) and whatever `extraConfig` adds, and a free port.
struct LobbyFixture {
    let folder: URL
    let config: URL
    let port: Int

    /// Extension 1500 (password `12345678`) in the lobby, for `extraConfig`.
    static let extensionConfig = "[[extension]]\nnumber = \"1500\"\npassword = \"12345678\"\nline = \"lobby\"\n"

    init(extraConfig: String = "") throws {
        folder = try TemporaryFolder.make()
        config = folder.appendingPathComponent("gate.toml")
        try ("[[line]]\nname = \"lobby\"\ntoken = \"tok\"\n" + extraConfig).write(to: config, atomically: true, encoding: .utf8)
        port = try TemporaryFolder.freePort()
    }

    /// The environment that keeps ozchat's per-user files inside `folder`.
    var environment: [String: String] { ["XDG_STATE_HOME": folder.path, "HOME": folder.path] }

    /// Starts `ozgate` on `port` with the config and `arguments`, once it says it is listening (within `timeout`).
    func startGateway(_ arguments: [String] = [], stderr: ChildProcess.OutputPipe = .collected, timeout: Duration = .seconds(60)) async throws
        -> ChildProcess
    {
        let gateway = try ChildProcess("ozgate", ["--config", config.path, "--port", "\(port)"] + arguments, stderr: stderr)
        try await gateway.waitForLine("listening", timeout: timeout) { $0.hasPrefix("listening on ws://") }
        return gateway
    }
}
