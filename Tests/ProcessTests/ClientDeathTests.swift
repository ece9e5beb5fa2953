import Foundation
import OzClient
import OzProtocol
import Testing

/// An `ozchat --plain` process in a room dies (SIGKILL) or freezes (SIGSTOP: its socket stays open but nothing answers);
/// a watcher in the same room must see it go OFFLINE: at once when killed, within the gateway's ping timeout when frozen.
@Suite("a client process killed or stopped", .serialized)
struct ClientDeathTests {
    static let pingInterval = 1.0
    static let pingTimeout = 3.0

    let lobby: LobbyFixture
    var port: Int { lobby.port }

    init() throws {
        lobby = try LobbyFixture()
    }

    func startGateway() async throws -> ChildProcess {
        try await lobby.startGateway(["--ping-interval", "\(Self.pingInterval)", "--ping-timeout", "\(Self.pingTimeout)"])
    }

    /// A watcher client in the room, its events logged.
    func startWatcher() async throws -> (OzClient, ClientEventLog) {
        let log = ClientEventLog(clients: 1)
        let watcher = OzClient(eventSink: log.sink(0))
        try await watcher.connect(serverAddress: "127.0.0.1:\(port)", token: "tok", properties: ["Nickname": "Watcher"])
        try await waitUntil("the watcher granted", timeout: .seconds(30)) { await watcher.phoneNumber != nil }
        return (watcher, log)
    }

    /// An `ozchat --plain` in the room; returns it with its number, once the watcher has seen it ONLINE.
    func startVictim(_ nick: String, watchedBy log: ClientEventLog) async throws -> (ChildProcess, String) {
        let started = ContinuousClock.now
        let victim = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(port)", "tok", "--nick", nick])
        let granted = try await victim.waitForLine("\(nick) granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED number=") }
        let number = try #require(granted.split(separator: " ").first { $0.hasPrefix("number=") }?.dropFirst("number=".count)).description
        try await waitUntil("the watcher sees \(nick) ONLINE", timeout: .seconds(30)) { log.presence(0, of: number, .online, since: started) != nil }
        return (victim, number)
    }

    /// Sends `signal` to the victim and returns how long until the watcher saw it OFFLINE.
    func secondsUntilOffline(after signal: Int32, of victim: ChildProcess, number: String, log: ClientEventLog) async throws -> Double {
        let sent = ContinuousClock.now
        victim.signal(signal)
        try await waitUntil("the watcher sees the client OFFLINE after signal \(signal)", timeout: .seconds(30), every: .milliseconds(10)) {
            log.presence(0, of: number, .offline, since: sent) != nil
        }
        return (try #require(log.presence(0, of: number, .offline, since: sent)) - sent).inSeconds
    }

    @Test(.timeLimit(.minutes(3)))
    func aKilledClientIsOfflineAtOnce() async throws {
        let gateway = try await startGateway()
        let (watcher, log) = try await startWatcher()
        let (victim, number) = try await startVictim("Doomed", watchedBy: log)
        let detection = try await secondsUntilOffline(after: SIGKILL, of: victim, number: number, log: log)
        print(String(format: "OFFLINE seen %.3f s after SIGKILL of the client", detection))
        // The kernel closes the dead process's socket, so the gateway learns at once; 5 s allows for a loaded machine.
        #expect(detection < 5)
        await watcher.shutdown()
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aStoppedClientIsOfflineWithinThePingTimeoutAndComesBackWhenContinued() async throws {
        let gateway = try await startGateway()
        let (watcher, log) = try await startWatcher()
        let (victim, number) = try await startVictim("Frozen", watchedBy: log)
        let detection = try await secondsUntilOffline(after: SIGSTOP, of: victim, number: number, log: log)
        print(
            String(
                format: "OFFLINE seen %.3f s after SIGSTOP of the client (gateway ping every %.0f s, timeout %.0f s)", detection, Self.pingInterval,
                Self.pingTimeout))
        // The gateway closes a connection silent for longer than the timeout, checked at each ping: the last pong came
        // at most one interval before the stop, so OFFLINE falls between timeout − interval and timeout + interval.
        // Not earlier (else something other than the ping timeout closed it); later only by a loaded machine's slack.
        #expect(detection >= Self.pingTimeout - Self.pingInterval - 1)
        #expect(detection <= Self.pingTimeout + Self.pingInterval + 3)

        // Continued, it finds its session closed and reconnects on its own, as a new number the watcher sees ONLINE.
        let continued = ContinuousClock.now
        victim.signal(SIGCONT)
        let regranted = try await victim.waitForLine("granted again", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED number=") }
        #expect(victim.lines.contains { $0.contains(" CONNECTION_CLOSED ") && $0.contains("retry_in=") })
        let newNumber = try #require(regranted.split(separator: " ").first { $0.hasPrefix("number=") }?.dropFirst("number=".count)).description
        try await waitUntil("the watcher sees the continued client ONLINE", timeout: .seconds(30)) {
            log.presence(0, of: newNumber, .online, since: continued) != nil
        }
        victim.signal(SIGTERM)
        #expect(await victim.waitForExit() == 0)
        await watcher.shutdown()
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }
}
