import Foundation
import TestSupport
import Testing

/// History and resume (OzWire v1.1) with real processes: `ozgate --store memory|sqlite:…` and `ozchat --plain` peers.
/// Drops are real TCP drops: a proxy between one client and the gateway is cut (`CuttableProxy`), or the gateway is
/// restarted on its port with the same SQLite store.
@Suite("history and resume (processes)", .serialized)
struct HistoryProcessTests {
    let lobby: LobbyFixture

    init() throws {
        lobby = try LobbyFixture()
    }

    func chat(_ nick: String, port: Int? = nil, _ extra: [String] = []) async throws -> ChildProcess {
        let peer = try ChildProcess(
            "ozchat", ["--plain", "127.0.0.1:\(port ?? lobby.port)", "tok", "--nick", nick] + extra, environment: lobby.environment)
        try await peer.waitForLine("\(nick) granted", timeout: .seconds(30)) { $0.contains(" ACCESS_GRANTED ") }
        return peer
    }

    /// `peer` says `text` and waits for its echo.
    func say(_ peer: ChildProcess, _ nick: String, _ texts: String...) async throws {
        for text in texts {
            peer.type(text)
            try await peer.waitForLine("echo of \(text)", timeout: .seconds(30)) { $0.hasSuffix(" <\(nick)> \(text)") }
        }
    }

    /// The texts of the room messages a `--plain` peer printed, live (`<Nick> text`) or from history, in order.
    static func said(_ peer: ChildProcess, by nick: String) -> [String] {
        peer.lines.compactMap { line in
            for marker in [" HISTORY <\(nick)> ", " <\(nick)> "] {
                if let range = line.range(of: marker) { return String(line[range.upperBound...]) }
            }
            return nil
        }
    }

    func stop(_ processes: ChildProcess...) async {
        for process in processes {
            process.closeInput()
            process.signal(SIGTERM)
            _ = await process.waitForExit()
        }
    }

    @Test func plainPrintsTheBacklogAsHistoryLinesBeforeLiveOnes() async throws {
        let gateway = try await lobby.startGateway(["--store", "memory"])
        let ann = try await chat("Ann")
        try await say(ann, "Ann", "first", "second", "third")
        let bob = try await chat("Bob", ["--history", "2"])
        try await bob.waitForLine("third as history", timeout: .seconds(30)) { $0.hasSuffix(" HISTORY <Ann> third") }
        try await say(ann, "Ann", "live")
        try await bob.waitForLine("live", timeout: .seconds(30)) { $0.hasSuffix(" <Ann> live") }
        let lines = bob.lines
        let history = lines.filter { $0.contains(" HISTORY ") }
        #expect(history.map { $0.split(separator: " ", maxSplits: 1)[1] } == ["HISTORY <Ann> second", "HISTORY <Ann> third"])
        // Each stamped with its own time, in the live lines' format, and before any live message.
        let stamp = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z HISTORY /#
        let stamped = history.filter { $0.firstMatch(of: stamp) != nil }
        #expect(stamped.count == history.count)
        let lastHistory = try #require(lines.lastIndex { $0.contains(" HISTORY ") })
        let live = try #require(lines.firstIndex { $0.hasSuffix(" <Ann> live") })
        let granted = try #require(lines.firstIndex { $0.contains(" ACCESS_GRANTED ") })
        #expect(granted < lastHistory && lastHistory < live)
        #expect(Self.said(bob, by: "Ann") == ["second", "third", "live"])
        await stop(ann, bob, gateway)
    }

    @Test func historyOutOfRangeIsAUsageError() async throws {
        let chat = try ChildProcess("ozchat", ["--plain", "127.0.0.1:1", "tok", "--history", "501"], environment: lobby.environment)
        #expect(await chat.waitForExit() == 64)
        // ASCII only: the pipe is read in chunks, each decoded on its own, so a dash may arrive split.
        #expect(chat.stderr.contains("--history must be 0") && chat.stderr.contains("500 (messages shown on joining), not 501"))
    }

    @Test func aResumeAfterACutConnectionMissesNothingAndRepeatsNothing() async throws {
        let gateway = try await lobby.startGateway(["--store", "memory"])
        let proxy = try CuttableProxy(targetPort: lobby.port)
        defer { proxy.stop() }
        let ann = try await chat("Ann")
        let bob = try await chat("Bob", port: proxy.port)
        try await say(ann, "Ann", "before")
        try await bob.waitForLine("before", timeout: .seconds(30)) { $0.hasSuffix(" <Ann> before") }
        proxy.cut()
        try await bob.waitForLine("the drop", timeout: .seconds(30)) { $0.contains(" CONNECTION_CLOSED ") }
        try await say(ann, "Ann", "away 1", "away 2")
        proxy.restore()
        try await bob.waitForLine("regranted", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        try await say(ann, "Ann", "after")
        try await bob.waitForLine("after", timeout: .seconds(30)) { $0.hasSuffix(" <Ann> after") }
        #expect(Self.said(bob, by: "Ann") == ["before", "away 1", "away 2", "after"], "Bob's output:\n\(bob.stdout)")
        #expect(!bob.stdout.contains(" GAP "))
        await stop(ann, bob, gateway)
    }

    @Test func aRestartedGatewayWithTheSameStoreResumesWhereItStopped() async throws {
        let store = "sqlite:" + lobby.folder.appendingPathComponent("h.sqlite").path
        var gateway = try await lobby.startGateway(["--store", store])
        let ann = try await chat("Ann")
        let bob = try await chat("Bob")
        try await say(ann, "Ann", "before restart")
        try await bob.waitForLine("before restart", timeout: .seconds(30)) { $0.hasSuffix(" <Ann> before restart") }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
        gateway = try await lobby.startGateway(["--store", store])
        // Carl speaks at once: Bob gets it live or in his resume, whichever comes first, but once.
        let carl = try await chat("Carl", ["--history", "0"])
        try await say(carl, "Carl", "during")
        try await bob.waitForLine("regranted", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        try await ann.waitForLine("Ann regranted", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        try await say(ann, "Ann", "after restart")
        try await bob.waitForLine("after restart", timeout: .seconds(60)) { $0.hasSuffix(" <Ann> after restart") }
        try await bob.waitForLine("during", timeout: .seconds(30)) { $0.hasSuffix("<Carl> during") }
        #expect(Self.said(bob, by: "Ann") == ["before restart", "after restart"], "Bob's output:\n\(bob.stdout)")
        #expect(Self.said(bob, by: "Carl") == ["during"], "Bob's output:\n\(bob.stdout)")
        #expect(!bob.stdout.contains(" GAP "))
        await stop(ann, bob, carl, gateway)
    }

    /// Bob's message is caught by the drop before it reaches the gateway: sent again after the resume, once.
    @Test func aMessageCaughtByTheDropIsDeliveredOnce() async throws {
        let gateway = try await lobby.startGateway(["--store", "memory"])
        let proxy = try CuttableProxy(targetPort: lobby.port)
        defer { proxy.stop() }
        let ann = try await chat("Ann")
        let bob = try await chat("Bob", port: proxy.port)
        try await ann.waitForLine("Bob online", timeout: .seconds(30)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Bob") }
        proxy.hold(.up)
        bob.type("caught in the drop")
        let deadline = ContinuousClock.now + .seconds(30)
        while proxy.waiting(.up) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(proxy.waiting(.up) > 0)
        proxy.cut()
        try await bob.waitForLine("the drop", timeout: .seconds(30)) { $0.contains(" CONNECTION_CLOSED ") }
        proxy.restore()
        try await ann.waitForLine("the resent message", timeout: .seconds(60)) { $0.hasSuffix(" <Bob> caught in the drop") }
        try await say(bob, "Bob", "next")
        try await ann.waitForLine("next", timeout: .seconds(30)) { $0.hasSuffix(" <Bob> next") }
        #expect(Self.said(ann, by: "Bob") == ["caught in the drop", "next"], "Ann's output:\n\(ann.stdout)")
        await stop(ann, bob, gateway)
    }

    /// Bob types while his connection is down and a retry is on its way: the message waits and is delivered once.
    @Test func aMessageTypedWhileReconnectingIsDeliveredOnce() async throws {
        let gateway = try await lobby.startGateway(["--store", "memory"])
        let proxy = try CuttableProxy(targetPort: lobby.port)
        defer { proxy.stop() }
        let ann = try await chat("Ann")
        let bob = try await chat("Bob", port: proxy.port)
        proxy.cut()
        try await bob.waitForLine("the drop", timeout: .seconds(30)) { $0.contains(" CONNECTION_CLOSED ") && $0.contains(" retry_in=") }
        bob.type("typed while away")
        bob.type("/msg Ann private while away")
        try await bob.waitForLine("the private one refused", timeout: .seconds(30)) { $0.hasSuffix(" INFO not connected: the message was not sent") }
        proxy.restore()
        try await ann.waitForLine("the queued message", timeout: .seconds(60)) { $0.hasSuffix(" <Bob> typed while away") }
        try await say(bob, "Bob", "next")
        try await ann.waitForLine("next", timeout: .seconds(30)) { $0.hasSuffix(" <Bob> next") }
        #expect(Self.said(ann, by: "Bob") == ["typed while away", "next"], "Ann's output:\n\(ann.stdout)")
        await stop(ann, bob, gateway)
    }

    /// Bob's message reaches the gateway but its echo is lost with the connection: confirmed from the resume, not resent.
    @Test func aMessageWhoseEchoWasLostIsNotSentTwice() async throws {
        let gateway = try await lobby.startGateway(["--store", "memory"])
        let proxy = try CuttableProxy(targetPort: lobby.port)
        defer { proxy.stop() }
        let ann = try await chat("Ann")
        let bob = try await chat("Bob", port: proxy.port)
        try await ann.waitForLine("Bob online", timeout: .seconds(30)) { $0.contains(" ONLINE ") && $0.hasSuffix(" Bob") }
        proxy.hold(.down)
        bob.type("echo lost")
        try await ann.waitForLine("echo lost", timeout: .seconds(30)) { $0.hasSuffix(" <Bob> echo lost") }
        proxy.cut()
        try await bob.waitForLine("the drop", timeout: .seconds(30)) { $0.contains(" CONNECTION_CLOSED ") }
        proxy.restore()
        try await bob.waitForLine("regranted", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        try await say(bob, "Bob", "next")
        try await ann.waitForLine("next", timeout: .seconds(30)) { $0.hasSuffix(" <Bob> next") }
        #expect(Self.said(ann, by: "Bob") == ["echo lost", "next"], "Ann's output:\n\(ann.stdout)")
        // Bob learns of it from the resumed history.
        #expect(Self.said(bob, by: "Bob") == ["echo lost", "next"], "Bob's output:\n\(bob.stdout)")
        await stop(ann, bob, gateway)
    }
}
