import Foundation
import Testing

/// The shipped programs: `ozchat --plain` clients with near-4 KiB properties fill an `ozgate` room whose snapshot
/// limit is lowered to 16 KiB (`max_snapshot_bytes`); the next one is told why it cannot get in, and does not retry.
@Suite("ozgate: a room full by snapshot size", .serialized)
struct RoomSnapshotProcessTests {
    @Test func theJoinerPastTheSnapshotLimitIsDeniedOnceAndDoesNotRetry() async throws {
        let lobby = try LobbyFixture()
        try "[[line]]\nname = \"lobby\"\ntoken = \"tok\"\n[limits]\nmax_snapshot_bytes = 16384\n"
            .write(to: lobby.config, atomically: true, encoding: .utf8)
        let gateway = try await lobby.startGateway()
        let pad = "pad=" + String(repeating: "p", count: 3_990)
        var members: [ChildProcess] = []
        var denied: ChildProcess?
        while denied == nil, members.count < 10 {
            let client = try ChildProcess(
                "ozchat", ["--plain", "127.0.0.1:\(lobby.port)", "tok", "--nick", "m\(members.count)", "--property", pad],
                environment: lobby.environment)
            let answer = try await client.waitForLine("an answer") { $0.contains(" ACCESS_GRANTED ") || $0.contains(" ACCESS_DENIED ") }
            if answer.contains(" ACCESS_DENIED ") {
                #expect(answer.contains("the room lobby is full (3 members): its member list would pass the 16 KiB snapshot limit"))
                denied = client
            } else {
                members.append(client)
            }
        }
        // 16 KiB holds three entries of about 4 KiB and the header.
        #expect(members.count == 3)
        let client = try #require(denied)
        // ozchat's first retry would come within its 0.5 s backoff base: wait well past it, then count the attempts.
        try await Task.sleep(for: .seconds(2))
        #expect(client.lines.filter { $0.contains(" CONNECTING ") }.count == 1)
        let denials = gateway.stderr.split(separator: "\n").filter { $0.contains(" msg=deny ") && $0.contains("snapshot limit") }
        #expect(denials.count == 1)
        for process in members + [client, gateway] { process.signal(SIGTERM) }
        for process in members + [client, gateway] { _ = await process.waitForExit() }
    }
}
