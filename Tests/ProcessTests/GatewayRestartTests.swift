import Foundation
import OzClient
import OzProtocol
import Testing

/// A room of real `OzClient`s on a real `ozgate` process that is killed (SIGKILL) and started again on the same port:
/// every client must come back on its own, the reconnects must be spread by the backoff's jitter rather than arrive as
/// one herd, and every roster must agree again.
@Suite("ozgate SIGKILL and restart under load", .serialized)
struct GatewayRestartTests {
    static let clients = 80

    /// Whether every client is granted, with distinct numbers, and every roster plus its owner is the whole room.
    static func converged(_ clients: [OzClient]) async -> Bool {
        var numbers: [String] = []
        for client in clients {
            guard let number = await client.phoneNumber else { return false }
            numbers.append(number)
        }
        let room = Set(numbers)
        guard room.count == clients.count else { return false }
        for (client, number) in zip(clients, numbers) {
            let roster = await client.roster
            guard roster.count == clients.count - 1, Set(roster.map(\.phoneNumber)).union([number]) == room else { return false }
        }
        return true
    }

    /// The value at `percent` of sorted `values` (nearest rank).
    static func percentile(_ sorted: [Double], _ percent: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1))]
    }

    @Test(.timeLimit(.minutes(5)))
    func everyClientComesBackOnItsOwnSpreadByJitterAndRostersConverge() async throws {
        let lobby = try LobbyFixture()
        let port = lobby.port
        var gateway = try await lobby.startGateway(["--log-level", "warning"], timeout: .seconds(60))

        // The protocol's own reconnect policy: full jitter, base 0.5 s, cap 30 s.
        let log = ClientEventLog(clients: Self.clients)
        let clients = (0..<Self.clients).map { OzClient(eventSink: log.sink($0)) }
        for (index, client) in clients.enumerated() {
            try await client.connect(serverAddress: "127.0.0.1:\(port)", token: "tok", properties: ["Nickname": .string("c\(index)")])
        }
        try await waitUntil("\(Self.clients) clients granted with converged rosters", timeout: .seconds(90), every: .milliseconds(200)) {
            await Self.converged(clients)
        }
        let before = Set(await clients.asyncMap { await $0.phoneNumber ?? "" })

        gateway.signal(SIGKILL)
        #expect(await gateway.waitForExit() != 0)
        let killed = ContinuousClock.now
        // Restart only once every client has failed to reconnect twice: each one's pending delay was then drawn from at
        // least 0…2 s (0.5 s doubled per attempt), so the grants below measure the jitter, not when each noticed the kill.
        try await waitUntil("two failed reconnects per client", timeout: .seconds(60)) {
            (0..<Self.clients).allSatisfy { log.failures($0, since: killed) >= 2 }
        }
        let down = (ContinuousClock.now - killed).inSeconds
        let restarted = ContinuousClock.now
        gateway = try await lobby.startGateway(["--log-level", "warning"], timeout: .seconds(60))
        let listening = (ContinuousClock.now - restarted).inSeconds

        let cap = Backoff.standard.cap.inSeconds
        let slack = 20.0
        try await waitUntil("every client granted again", timeout: .seconds(cap + slack + 30), every: .milliseconds(100)) {
            (0..<Self.clients).allSatisfy { log.firstGrant($0, since: restarted) != nil }
        }
        let spread = (0..<Self.clients).compactMap { log.firstGrant($0, since: restarted) }.map { ($0 - restarted).inSeconds }.sorted()
        try await waitUntil("rosters converged after the restart", timeout: .seconds(60), every: .milliseconds(200)) {
            await Self.converged(clients)
        }
        let after = Set(await clients.asyncMap { await $0.phoneNumber ?? "" })

        let p10 = Self.percentile(spread, 10)
        let p50 = Self.percentile(spread, 50)
        let p90 = Self.percentile(spread, 90)
        print(
            String(
                format: "reconnect spread of %d clients after the restart (gateway down %.2f s, listening %.2f s after spawn): "
                    + "min %.3f s, p10 %.3f s, p50 %.3f s, p90 %.3f s, max %.3f s",
                spread.count, down, listening, spread.first ?? -1, p10, p50, p90, spread.last ?? -1))
        #expect(spread.count == Self.clients)
        // Bounded: no pending delay exceeds the cap, so everyone is back within the cap (plus a loaded machine's slack).
        #expect((spread.last ?? .infinity) <= cap + slack)
        // Spread by jitter: pending delays uniform over at least 0…2 s put p10 and p90 about 1.6 s apart; clients in
        // lockstep would all be granted within the gateway's handshake time (tens of milliseconds).
        #expect(p90 - p10 >= 0.75, "grants not spread: p10 \(p10) s, p90 \(p90) s")
        // Fresh numbers after the restart: these are new sessions, not a stale view of the old ones.
        #expect(after.count == Self.clients && after.isDisjoint(with: before))
        for client in clients { await client.shutdown() }
        gateway.signal(SIGTERM)
        #expect(await gateway.waitForExit() == 0)
    }
}

extension Array {
    /// Maps with an async transform, one element after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
