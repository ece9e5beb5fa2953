import Foundation
import OzClient
import OzProtocol
import Testing

/// Standard output or standard error that nobody reads any more (the reader closed its end of the pipe) or that nobody
/// reads at all (a pipe that fills up): `ozchat --plain` ends with status 0, as `… | grep -m1 ACCESS_GRANTED` needs;
/// `ozgate` goes on granting connects and delivering messages, its rooms never waiting on its log; `ozload` ends with
/// its usual status.
@Suite("closed and stuck standard streams", .serialized)
struct StandardStreamTests {
    let lobby: LobbyFixture

    init() throws {
        lobby = try LobbyFixture()
    }

    /// `count` clients in the lobby, each granted, named `nickname` and their index; their events go to `log`.
    /// They retry (backoff) until the gateway listens.
    func connectClients(_ count: Int, nickname: String, log: ClientEventLog) async throws -> [OzClient] {
        var clients: [OzClient] = []
        for index in 0..<count {
            let client = OzClient(eventSink: log.sink(index))
            try await client.connect(serverAddress: "127.0.0.1:\(lobby.port)", token: "tok", properties: ["Nickname": .string("\(nickname)\(index)")])
            clients.append(client)
        }
        try await waitUntil("\(count) clients granted", timeout: .seconds(40)) {
            for client in clients where await client.phoneNumber == nil { return false }
            return true
        }
        return clients
    }

    /// `sender` says `text` to the room; returns once client `index` of `log` has it.
    func expectDelivered(_ text: String, from sender: OzClient, to index: Int, log: ClientEventLog) async throws {
        try await sender.send(text)
        try await waitUntil("\"\(text)\" delivered", timeout: .seconds(20)) {
            log.events(index).contains { entry in
                if case .message(let message) = entry.event { return message.text == text }
                return false
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func plainEndsWithStatusZeroWhenItsReaderGoes() async throws {
        let gateway = try await lobby.startGateway()
        let chat = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "Reader"], environment: lobby.environment)
        // As `ozchat --plain … | grep -m1 ACCESS_GRANTED`: the reader takes its line and goes. Nothing more happens in
        // the room, so ozchat has nothing to write: it must notice on its own.
        try await chat.waitForLine("granted") { $0.contains(" ACCESS_GRANTED ") }
        chat.closeOutput()
        #expect(await chat.waitForExit() == 0)
        #expect(chat.process.terminationReason == .exit, "ended by signal \(chat.process.terminationStatus): \(chat.stderr)")
        #expect(chat.stderr.isEmpty, "ozchat wrote to standard error: \(chat.stderr)")
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func aGatewayWhoseStandardErrorNobodyReadsKeepsServingAndCountsWhatItDropped() async throws {
        let gateway = try await lobby.startGateway(["--no-limits"], stderr: .unread)
        // 100 connect lines of about 16 KB (the nickname's 2,000 C1 controls are each logged as `\u{0085}`): more than
        // the pipe (4 KiB) and the log's queue (1 MiB) hold together. Logging on a room's event loop used to wait there,
        // for good, at the first line that did not fit.
        let nickname = String(repeating: "\u{85}", count: 2000)
        for _ in 0..<5 {
            let crowd = try await connectClients(20, nickname: nickname, log: ClientEventLog(clients: 20))
            for client in crowd { await client.shutdown() }
        }
        let log = ClientEventLog(clients: 2)
        let clients = try await connectClients(2, nickname: "Peer", log: log)
        try await expectDelivered("delivered while the log is stuck", from: clients[0], to: 1, log: log)

        gateway.collectError()
        try await waitUntil("a count of dropped log lines", timeout: .seconds(20)) { gateway.stderr.contains("msg=\"log lines dropped\"") }
        let counts = gateway.stderr.split(separator: "\n").filter { $0.contains("msg=\"log lines dropped\"") }.map { line in
            line.split(separator: " ").first { $0.hasPrefix("count=") }.flatMap { Int($0.dropFirst("count=".count)) } ?? 0
        }
        #expect(counts.allSatisfy { $0 > 0 }, "\(counts)")
        print("ozgate with a stuck standard error: dropped-line counts \(counts), \(gateway.stderr.utf8.count) bytes logged")
        try await expectDelivered("delivered once the log is read again", from: clients[1], to: 0, log: log)

        for client in clients { await client.shutdown() }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func aGatewayWhoseStandardStreamsAreClosedKeepsServing() async throws {
        // Nobody reads what it prints or logs: its first "listening" line and every log line fail with EPIPE.
        let gateway = try ChildProcess(
            "ozgate", ["--config", lobby.config.path, "--port", "\(lobby.port)"], environment: lobby.environment, stdout: .closed,
            stderr: .closed)
        let log = ClientEventLog(clients: 2)
        let clients = try await connectClients(2, nickname: "Peer", log: log)
        try await expectDelivered("hello with nobody logging", from: clients[0], to: 1, log: log)
        await clients[1].disconnect()
        try await waitUntil("Peer1 offline to Peer0", timeout: .seconds(20)) {
            log.events(0).contains { entry in
                if case .clientState(let info) = entry.event { return info.status == .offline }
                return false
            }
        }
        #expect(gateway.process.isRunning)

        for client in clients { await client.shutdown() }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
        #expect(gateway.process.terminationReason == .exit)
    }

    @Test(.timeLimit(.minutes(2)))
    func ozloadReportIntoAClosedPipeEndsWithItsStatus() async throws {
        let load = try ChildProcess(
            "ozload", ["storm", "--clients", "5", "--spawn-gateway", ChildProcess.executable("ozgate").path], stdout: .closed)
        #expect(await load.waitForExit(timeout: .seconds(90)) == 0, "\(load.stderr)")
        #expect(load.process.terminationReason == .exit)
    }
}
