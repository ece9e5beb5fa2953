import Foundation
import Testing

/// The durability promise (README, "History"), on a real `ozgate` with a SQLite store, driven by an independent Python
/// client: every message whose echo reached its sender survives SIGTERM and a restart serves it; SIGKILL under load
/// loses at most the last batch window, never a message from the middle, and never corrupts the file; a file that is
/// not a database stops ozgate at start with exit 78, untouched.
@Suite("ozgate history durability", .serialized)
struct HistoryDurabilityTests {
    static let probe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/history_probe.py").path

    /// A lobby whose history is the SQLite file `h.sqlite` in the fixture's folder, with no message-rate limit.
    static func fixture() throws -> (LobbyFixture, String) {
        let lobby = try LobbyFixture(extraConfig: "[limits]\nmessage_rate = 0\n")
        return (lobby, lobby.folder.appendingPathComponent("h.sqlite").path)
    }

    /// Runs the probe to the end and returns its output lines.
    static func runProbe(_ arguments: [String]) throws -> [String] {
        // A probe must not hang a test: the history and check modes are quick, `say` ends when its gateway does.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "120", "python3", probe] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// `seqs lobby FIRST LAST COUNT` from the probe's check.
    static func storedRange(_ lines: [String]) -> (first: Int, last: Int, count: Int)? {
        guard let line = lines.first(where: { $0.hasPrefix("seqs lobby ") }) else { return nil }
        let numbers = line.split(separator: " ").dropFirst(2).compactMap { Int($0) }
        return numbers.count == 3 ? (numbers[0], numbers[1], numbers[2]) : nil
    }

    @Test(.timeLimit(.minutes(3)))
    func sigtermKeepsEveryEchoedMessageAndARestartServesThem() async throws {
        let (lobby, database) = try Self.fixture()
        var gateway = try await lobby.startGateway(["--store", "sqlite:\(database)"], timeout: .seconds(60))
        let url = "ws://127.0.0.1:\(lobby.port)/"
        let echoes = try Self.runProbe(["say", url, "tok", "300"]).filter { $0.hasPrefix("echo ") }
        #expect(echoes.count == 300)
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit(timeout: .seconds(30)) == 0)
        let check = try Self.runProbe(["check", database])
        #expect(check.first == "integrity ok")
        let range = try #require(Self.storedRange(check))
        #expect(range.count == 300 && range.last - range.first == 299)

        gateway = try await lobby.startGateway(["--store", "sqlite:\(database)"], timeout: .seconds(60))
        let history = try Self.runProbe(["history", url, "tok", "500"])
        let texts = history.filter { !$0.hasPrefix("more ") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(texts == (0..<300).map { "m\($0)" })
        // The ids are the ones the echoes carried: numbering continues from the store.
        let ids = history.filter { !$0.hasPrefix("more ") }.map { String($0.split(separator: " ")[0]) }
        #expect(ids == echoes.map { String($0.split(separator: " ")[1]) })
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit(timeout: .seconds(30))
    }

    @Test(.timeLimit(.minutes(3)))
    func sigkillUnderLoadLosesOnlyTheNewestAndNeverCorrupts() async throws {
        let (lobby, database) = try Self.fixture()
        let gateway = try await lobby.startGateway(["--store", "sqlite:\(database)"], timeout: .seconds(60))
        let url = "ws://127.0.0.1:\(lobby.port)/"
        // The sender runs flat out in the background; the gateway is killed while it does.
        let sender = Task.detached { try Self.runProbe(["say", url, "tok", "1000000"]) }
        // Python and its first connection can take seconds on a loaded machine; give the sender time to get going.
        try await Task.sleep(for: .seconds(8))
        gateway.signal(SIGKILL)
        let killed = ProcessInfo.processInfo.systemUptime
        _ = await gateway.waitForExit(timeout: .seconds(30))
        let echoes = try await sender.value.filter { $0.hasPrefix("echo ") }.map { $0.split(separator: " ") }
        #expect(echoes.count > 100, "the sender got going before the kill")

        let check = try Self.runProbe(["check", database])
        #expect(check.first == "integrity ok")
        let range = try #require(Self.storedRange(check))
        // Stored: a gap-free run from the first message (nothing lost from the middle).
        #expect(range.first == 1 && range.count == range.last)
        let seqs = echoes.compactMap { $0[1].split(separator: "-").last.flatMap { Int($0) } }
        #expect(seqs == Array(1...seqs.count))
        // What was echoed but not stored arrived within the last batch window before the kill (50 ms, plus the time a
        // busy machine takes to write a batch and deliver the signal).
        let lost = echoes.filter { (Int($0[1].split(separator: "-").last ?? "") ?? 0) > range.last }
        let newestStoredEcho = echoes.first { (Int($0[1].split(separator: "-").last ?? "") ?? 0) == range.last }
        let window = lost.compactMap { Double($0[2]) }.map { killed - $0 }.max() ?? 0
        print(
            "SIGKILL after \(echoes.count) echoes: \(range.count) stored, \(lost.count) echoed but not stored, the oldest of those \(Int(window * 1000)) ms before the kill"
        )
        #expect(newestStoredEcho != nil || range.count == 0)
        #expect(window < 1.0)
    }

    @Test(.timeLimit(.minutes(2)))
    func aStoreThatIsNotADatabaseStopsOzgateWithExit78() async throws {
        let (lobby, database) = try Self.fixture()
        let garbage = Data("this is not a database, but a user's notes\n".utf8) + Data(repeating: 0x41, count: 4_096)
        try garbage.write(to: URL(fileURLWithPath: database))
        let gateway = try ChildProcess("ozgate", ["--config", lobby.config.path, "--port", "\(lobby.port)", "--store", "sqlite:\(database)"])
        #expect(await gateway.waitForExit(timeout: .seconds(60)) == 78)
        #expect(gateway.stderr.contains(database) && gateway.stderr.contains("not a SQLite database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == garbage)
    }

    @Test(.timeLimit(.minutes(2)))
    func storeMemoryWinsOverTheConfigAndForgetsAtRestart() async throws {
        let lobby = try LobbyFixture(extraConfig: "[history]\nstore = \"sqlite:never.sqlite\"\n")
        var gateway = try await lobby.startGateway(["--store", "memory"], timeout: .seconds(60))
        let url = "ws://127.0.0.1:\(lobby.port)/"
        _ = try Self.runProbe(["say", url, "tok", "3"])
        #expect(try Self.runProbe(["history", url, "tok", "10"]).count == 4)  // three messages and the `more` line
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit(timeout: .seconds(30)) == 0)
        gateway = try await lobby.startGateway(["--store", "memory"], timeout: .seconds(60))
        #expect(try Self.runProbe(["history", url, "tok", "10"]) == ["more false"])
        #expect(!FileManager.default.fileExists(atPath: "never.sqlite"))
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit(timeout: .seconds(30))
    }

    @Test(.timeLimit(.minutes(2)))
    func retentionPrunesTheStoreInTheBackground() async throws {
        let lobby = try LobbyFixture(extraConfig: "[limits]\nmessage_rate = 0\n[history]\nmessages_per_room = 5\n")
        let database = lobby.folder.appendingPathComponent("h.sqlite").path
        var gateway = try await lobby.startGateway(["--store", "sqlite:\(database)"], timeout: .seconds(60))
        let url = "ws://127.0.0.1:\(lobby.port)/"
        let echoes = try Self.runProbe(["say", url, "tok", "12"]).filter { $0.hasPrefix("echo ") }
        #expect(echoes.count == 12)
        let history = try Self.runProbe(["history", url, "tok", "50"])
        #expect(history.dropLast().map { $0.split(separator: " ").last.map(String.init) ?? "" } == (7..<12).map { "m\($0)" })
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit(timeout: .seconds(30)) == 0)
        // A pruning pass runs at start (then every minute): the file keeps the newest 5. (ozgate holds the file
        // locked while it runs, so it is read after the gateway has stopped.)
        gateway = try await lobby.startGateway(["--store", "sqlite:\(database)"], timeout: .seconds(60))
        #expect(try Self.runProbe(["history", url, "tok", "50"]).count == 6)
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit(timeout: .seconds(30)) == 0)
        let range = Self.storedRange(try Self.runProbe(["check", database]))
        #expect(range?.count == 5 && range?.first == 8)
    }

    @Test(.timeLimit(.minutes(2)))
    func aConfigWithoutAStoreKeepsHistoryInMemoryAndSaysSo() async throws {
        let lobby = try LobbyFixture()
        let gateway = try await lobby.startGateway(timeout: .seconds(60))
        try await waitUntil("the memory notice", timeout: .seconds(30)) { gateway.stderr.contains("history kept in memory") }
        let url = "ws://127.0.0.1:\(lobby.port)/"
        _ = try Self.runProbe(["say", url, "tok", "3"])
        #expect(try Self.runProbe(["history", url, "tok", "10"]).count == 4)
        gateway.signal(SIGTERM)
        _ = await gateway.waitForExit(timeout: .seconds(30))
    }
}
