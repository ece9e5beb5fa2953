import Foundation
import Testing

/// The local room outlives its host (issue 13): three `ozchat --plain` with no SERVER share the local room; the first
/// hosts the embedded gateway. When it quits, exactly one of the others starts the gateway again on the same port with
/// the same token and history file, the other reconnects on its own, and the conversation goes on with its history.
@Suite("the local room outlives its host", .serialized)
struct LocalRoomTakeoverTests {
    @Test(.timeLimit(.minutes(3)))
    func whenTheHostQuitsExactlyOneOtherTakesOverAndNothingIsLost() async throws {
        let lobby = try LobbyFixture()
        let port = lobby.port
        func chat(_ nick: String) throws -> ChildProcess {
            try ChildProcess("ozchat", ["--plain", "--local-port", "\(port)", "--nick", nick], environment: lobby.environment)
        }
        let host = try chat("Host")
        try await host.waitForLine("Host granted", timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        let bea = try chat("Bea")
        try await bea.waitForLine("Bea granted", timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        let cy = try chat("Cy")
        try await cy.waitForLine("Cy granted", timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        host.type("said before the host left")
        try await cy.waitForLine("the host's message", timeout: .seconds(30)) { $0.hasSuffix("said before the host left") }

        host.type("/quit")
        #expect(await host.waitForExit(timeout: .seconds(30)) == 0)
        let takeover = "hosts it now"
        try await waitUntil("one ozchat takes the room over", timeout: .seconds(60)) {
            bea.stderr.contains(takeover) || cy.stderr.contains(takeover)
        }
        // Both reconnect (the one that hosts included), and only one ever hosts.
        try await bea.waitForLine("Bea back", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        try await cy.waitForLine("Cy back", count: 2, timeout: .seconds(60)) { $0.contains(" ACCESS_GRANTED ") }
        try await Task.sleep(for: .seconds(3))
        #expect([bea, cy].filter { $0.stderr.contains(takeover) }.count == 1)

        bea.type("said after the takeover")
        try await cy.waitForLine("Bea's message", timeout: .seconds(30)) { $0.hasSuffix("said after the takeover") }
        // The history file came along: the new host serves what was said before.
        let history = try HistoryDurabilityTests.runProbe(["history", "ws://127.0.0.1:\(port)/", try Self.token(lobby), "50"])
        #expect(history.contains { $0.hasSuffix("said before the host left") })
        #expect(history.contains { $0.hasSuffix("said after the takeover") })
        for chat in [bea, cy] { chat.type("/quit") }
        for chat in [bea, cy] { _ = await chat.waitForExit(timeout: .seconds(30)) }
    }

    /// The lobby token the first ozchat recorded in the per-user file.
    static func token(_ lobby: LobbyFixture) throws -> String {
        let file = try String(contentsOf: lobby.folder.appendingPathComponent("ozchat/gateway"), encoding: .utf8)
        return file.split(separator: "\n").first { $0.hasPrefix("token=") }.map { String($0.dropFirst("token=".count)) } ?? ""
    }
}
