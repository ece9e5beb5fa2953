import Foundation
import Testing

/// Runs the real `ozgate` executable (built next to the tests) as a user would.
@Suite("ozgate executable", .serialized)
struct OzGateProcessTests {
    /// `.build/debug/ozgate`, found from this file's location in the package.
    static var executable: URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ozgate")
    }

    struct Run {
        let process: Process
        let stdout: Pipe
        let stderr: Pipe

        /// Reads standard output until a line containing `marker` appears; returns every line read so far.
        func lines(until marker: String, timeout: TimeInterval = 20) throws -> [String] {
            var collected = ""
            let handle = stdout.fileHandleForReading
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline, !collected.contains(marker) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected += String(decoding: chunk, as: UTF8.self)
            }
            return collected.split(separator: "\n").map(String.init)
        }

        func waitForExit(timeout: TimeInterval = 15) -> Int32? {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            return process.isRunning ? nil : process.terminationStatus
        }

        var errorText: String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    }

    static func start(_ arguments: [String], stdin: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            try process.run()
        }
        return Run(process: process, stdout: out, stderr: err)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ozgate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func embeddedDefaultPrintsItsAddressAndTokenKeepsTheTokenAndExitsZeroOnSIGTERM() throws {
        let folder = try Self.temporaryDirectory()
        let tokenFile = folder.appendingPathComponent("state/gateway").path
        let first = try Self.start(["--port", "0", "--token-file", tokenFile])
        let lines = try first.lines(until: "lobby token:")
        let listening = try #require(lines.first { $0.hasPrefix("listening on ws://127.0.0.1:") })
        #expect(listening.hasSuffix("/"))
        let token = try #require(lines.first { $0.hasPrefix("lobby token: ") }).dropFirst("lobby token: ".count)
        #expect(token.count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: tokenFile, encoding: .utf8)
        #expect(text.contains("token=\(token)\n") && text.contains("server=ws://127.0.0.1:"))
        first.process.terminate()
        #expect(first.waitForExit() == 0)

        let second = try Self.start(["--port", "0", "--token-file", tokenFile])
        #expect(try second.lines(until: "lobby token:").contains("lobby token: \(token)"))
        kill(second.process.processIdentifier, SIGINT)
        #expect(second.waitForExit() == 0)
    }

    @Test func configErrorNamesFileAndLineAndTheGatewayDoesNotStart() throws {
        let folder = try Self.temporaryDirectory()
        let config = folder.appendingPathComponent("gate.toml")
        try "[[line]]\nname = \"lobby\"\ntoken = \"t\"\ncolour = \"blue\"\n".write(to: config, atomically: true, encoding: .utf8)
        let run = try Self.start(["--config", config.path, "--port", "0"])
        #expect(run.waitForExit() == 78)
        #expect(run.errorText.contains("\(config.path):4:"))
        #expect(try run.lines(until: "listening").isEmpty)
    }

    @Test func hashSecretOutputIsAcceptedByTheConfig() throws {
        let tokenHash = try Self.start(["hash-secret", "--token"], stdin: "tok-en\n")
        let token = try tokenHash.lines(until: "\n").first ?? ""
        #expect(tokenHash.waitForExit() == 0 && token.hasPrefix("sha256$"))
        let passwordHash = try Self.start(["hash-secret"], stdin: "pass word\n")
        let password = try passwordHash.lines(until: "\n").first ?? ""
        #expect(passwordHash.waitForExit() == 0 && password.hasPrefix("scrypt$"))

        let folder = try Self.temporaryDirectory()
        let config = folder.appendingPathComponent("gate.toml")
        let toml = "[[line]]\nname = \"lobby\"\ntoken_hash = \"\(token)\"\n[[extension]]\nnumber = \"1500\"\npassword_hash = \"\(password)\"\nline = \"lobby\"\n"
        try toml.write(to: config, atomically: true, encoding: .utf8)
        let run = try Self.start(["--config", config.path, "--port", "0"])
        #expect(try run.lines(until: "listening").contains { $0.hasPrefix("listening on ws://") })
        run.process.terminate()
        #expect(run.waitForExit() == 0)
    }

    @Test func badCommandLineIsAUsageError() throws {
        let run = try Self.start(["--port", "99999"])
        #expect(run.waitForExit() == 64)
        #expect(run.errorText.contains("port"))
    }
}
