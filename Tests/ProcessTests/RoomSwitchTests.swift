import Foundation
import Testing

/// A `/connect` to another room starts a fresh membership (issue #12, item 6): the old room's peers are dropped at the
/// moment of switching, and nobody from it is reported as having left "while you were away". Real gateways, real
/// `ozchat --plain` peers, and the UI in tmux.
@Suite("switching rooms", .serialized)
struct RoomSwitchTests {
    /// Two real gateways, each with a lobby: Bob in the first, Carl in the second.
    struct Rooms {
        let first: LobbyFixture
        let second: LobbyFixture
        let gateways: [ChildProcess]
        let bob: ChildProcess
        let carl: ChildProcess

        static func start() async throws -> Rooms {
            let first = try LobbyFixture()
            let firstGateway = try await first.startGateway()
            let second = try LobbyFixture()
            let secondGateway = try await second.startGateway()
            let bob = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(first.port)", "tok", "--nick", "Bob"], environment: first.environment)
            try await bob.waitForLine("Bob granted") { $0.contains(" ACCESS_GRANTED ") }
            let carl = try ChildProcess("ozchat", ["--plain", "127.0.0.1:\(second.port)", "tok", "--nick", "Carl"], environment: second.environment)
            try await carl.waitForLine("Carl granted") { $0.contains(" ACCESS_GRANTED ") }
            return Rooms(first: first, second: second, gateways: [firstGateway, secondGateway], bob: bob, carl: carl)
        }

        func stop() async {
            for peer in [bob, carl] {
                peer.closeInput()
                _ = await peer.waitForExit()
            }
            for gateway in gateways {
                gateway.signal(SIGTERM)
                _ = await gateway.waitForExit()
            }
        }
    }

    @Test func plainReportsTheOldRoomOfflineAtTheSwitchAndOnlyTheNewRoomAfter() async throws {
        let rooms = try await Rooms.start()
        let ann = try ChildProcess(
            "ozchat", ["--plain", "127.0.0.1:\(rooms.first.port)", "tok", "--nick", "Ann"], environment: rooms.first.environment)
        try await ann.waitForLine("Bob online") { $0.contains(" ONLINE ") && $0.hasSuffix(" Bob") }

        ann.type("/connect 127.0.0.1:\(rooms.second.port) tok")
        try await ann.waitForLine("granted in the second room", count: 2) { $0.contains(" ACCESS_GRANTED ") }
        try await ann.waitForLine("Carl online") { $0.contains(" ONLINE ") && $0.hasSuffix(" Carl") }
        let lines = ann.lines
        let bobOffline = try #require(lines.firstIndex { $0.contains(" OFFLINE ") && $0.hasSuffix(" Bob") })
        let reconnecting = try #require(lines.lastIndex { $0.contains(" CONNECTING attempt=0") })
        let secondGrant = try #require(lines.lastIndex { $0.contains(" ACCESS_GRANTED ") })
        #expect(bobOffline < reconnecting, "Bob goes OFFLINE when Ann switches, not with the new room's grant:\n\(ann.stdout)")
        #expect(!lines[secondGrant...].contains { $0.contains(" OFFLINE ") })

        // The commands see the new room only.
        ann.type("/whois Bob")
        try await ann.waitForLine("Bob is not here") { $0.hasSuffix(" INFO no one called Bob is here") }
        ann.type("/msg Carl hi Carl")
        try await rooms.carl.waitForLine("Ann's private message") { $0.hasSuffix("[private] <Ann> hi Carl") }

        // A new nickname in the same room keeps the membership: Carl is neither repeated nor gone.
        ann.type("/nick Annie")
        try await ann.waitForLine("granted as Annie", count: 3) { $0.contains(" ACCESS_GRANTED ") }
        rooms.carl.type("hello Annie")
        try await ann.waitForLine("Carl's message") { $0.hasSuffix(" <Carl> hello Annie") }
        #expect(ann.lines.filter { $0.contains(" ONLINE ") && $0.hasSuffix(" Carl") }.count == 1)
        #expect(!ann.lines.contains { $0.contains(" OFFLINE ") && $0.hasSuffix(" Carl") })

        ann.type("/quit")
        #expect(await ann.waitForExit() == 0)
        for line in ann.lines { #expect(OzChatPlainTests.isDocumented(line), "undocumented line: \(line)") }
        await rooms.stop()
    }

    @Test func theUIEmptiesTheRosterAtTheSwitchAndNobodyLeftWhileAway() async throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let rooms = try await Rooms.start()
        try await tmux.start(
            "ann", command: [ChildProcess.executable("ozchat").path, "127.0.0.1:\(rooms.first.port)", "tok", "--nick", "Ann"],
            environment: rooms.first.environment)
        try await tmux.waitForScreen("ann", "Bob in the roster") {
            $0.contains("ACCESS_GRANTED") && $0.contains("1 peer here") && $0.contains(" Bob")
        }

        try await tmux.type("ann", "/connect 127.0.0.1:\(rooms.second.port) tok")
        try await tmux.press("ann", "Enter")
        let screen = try await tmux.waitForScreen("ann", "Carl in the roster") { $0.contains(" Carl") && $0.contains("left lobby: 1 peer") }
        #expect(!screen.contains("while you were away"))
        #expect(!TUIEndToEndTests.rows(screen).contains { $0.contains("│") && $0.contains(" Bob") })
        try await tmux.type("ann", "/quit")
        try await tmux.press("ann", "Enter")
        try await tmux.waitForScreen("ann", "a clean exit") { $0.contains("EXITED 0") }
        await rooms.stop()
    }
}
