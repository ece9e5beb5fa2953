import NIOCore
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// A room is full once its member list would make an `ACCESS_GRANTED` snapshot bigger than a client accepts, whatever
/// the member limit says: the next joiner is denied with a reason instead of being sent a snapshot it must reject.
/// These use a 64 KiB snapshot limit so a few real connections fill a room; OzClientTests fills one to 16 MiB.
@Suite("Gateway: snapshot size limit")
struct RoomSnapshotLimitTests {
    static let snapshotLimit = 64 * 1024

    /// Properties of almost 4 KiB serialized, each member's ONLINE entry about 4 KiB.
    static func properties(_ nick: String, pad: Int = 3_990) -> JSONObject {
        ["Nickname": .string(nick), "pad": .string(String(repeating: "p", count: pad))]
    }

    static func configure(_ configuration: inout GatewayConfiguration) {
        configuration.limits.maxSnapshotBytes = snapshotLimit
    }

    @Test func aJoinThatWouldPassTheSnapshotLimitIsDeniedWithAReason() async throws {
        let logs = CapturedLog()
        try await TestGateway.with(Self.configure, logs: logs) { gateway in
            var members: [TestSocket] = []
            var denial: (TestSocket, ServerFrame)?
            for n in 0..<40 {
                let socket = try await TestSocket.connect(port: gateway.port)
                try await socket.send(.connect(token: TestGateway.lobbyToken, properties: Self.properties("m\(n)")))
                let text = try await socket.nextText()
                let reply = try ServerFrame(bytes: Array(text.utf8))
                guard let clients = reply.grantedClients else {
                    denial = (socket, reply)
                    break
                }
                // Every snapshot sent fits, and lists everyone already in.
                #expect(clients.count == members.count)
                #expect(text.utf8.count <= Self.snapshotLimit)
                members.append(socket)
            }
            let (denied, reply) = try #require(denial, "40 members of 4 KiB joined a room with a 64 KiB snapshot limit")
            // 64 KiB holds the header and 16 entries of 4,072 bytes: a 17th member would make the next snapshot too big.
            #expect(members.count == 16)
            guard case .accessDenied(let reason) = reply else { throw TestSocket.Timeout(description: "expected ACCESS_DENIED, got \(reply)") }
            #expect(reason == "the room lobby is full (16 members): its member list would pass the 64 KiB snapshot limit")
            #expect(await denied.closeCode() == 1008)
            #expect(await logs.waitForLine(containing: "deny", "64 KiB snapshot limit") != nil)

            // The room counts bytes, not members: a small newcomer still fits, and a leaver's bytes come back.
            let (_, small) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "s"])
            #expect(small.grantedClients?.count == 16)
            await members[0].close()
            var granted = false
            for _ in 0..<50 where !granted {
                let (socket, again) = try await TestSocket.join(
                    port: gateway.port, token: TestGateway.lobbyToken, properties: Self.properties("again"))
                granted = again.grantedNumber != nil
                if !granted {
                    await socket.close()
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(granted)
        }
    }

    @Test func aReplacementWhoseEntryNoLongerFitsIsDeniedAndTheSessionStays() async throws {
        try await TestGateway.with(Self.configure) { gateway in
            let password = JSONValue.string(TestGateway.extensionPassword)
            var small = Self.properties("ext", pad: 10)
            small["Password"] = password
            let (first, grant) = try await TestSocket.join(port: gateway.port, token: TestGateway.extensionNumber, properties: small)
            #expect(grant.grantedNumber == TestGateway.extensionNumber)
            // Fill the rest of the list with others, until one is denied.
            var others: [TestSocket] = []
            while others.count < 40 {
                let (socket, reply) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: Self.properties("o"))
                guard reply.grantedNumber != nil else { break }
                others.append(socket)
            }
            #expect(others.count == 16)
            // Logging in again as the extension with 4 KiB of properties no longer fits: denied, the first session stays.
            var large = Self.properties("ext")
            large["Password"] = password
            let (_, reply) = try await TestSocket.join(port: gateway.port, token: TestGateway.extensionNumber, properties: large)
            guard case .accessDenied(let reason) = reply else { throw TestSocket.Timeout(description: "expected ACCESS_DENIED, got \(reply)") }
            #expect(reason.contains("snapshot limit"))
            try await first.send(.message(to: "*", text: "still here"))
            #expect(try await first.next(matching: { $0.chatMessage != nil }).chatMessage?.text == "still here")
        }
    }

    @Test func theStartUpLogSaysWhenTheMemberLimitCannotFitInASnapshot() async throws {
        let logs = CapturedLog()
        // The defaults: 20,000 members with 4 KiB of properties each would make an 80 MiB snapshot.
        try await TestGateway.with({ _ in }, logs: logs) { _ in
            let line = try #require(await logs.waitForLine(containing: "room limits"))
            #expect(line.contains("max_members_per_room 20000 with max_properties_bytes 4096 can pass the 16 MiB a snapshot may take"))
            #expect(line.contains("after 4040 members"))
        }
        // Limits that fit together say nothing.
        let quiet = CapturedLog()
        try await TestGateway.with({ $0.limits.maxMembersPerRoom = 1_000 }, logs: quiet) { _ in
            #expect(quiet.lines("room limits").isEmpty)
        }
    }

    @Test func theSnapshotLimitIsNeverAboveWhatAClientAccepts() {
        let budget = SnapshotBudget(snapshotLimit: .max, room: "lobby", longestNumber: 7)
        #expect(budget.snapshotLimit == WireLimits.maxServerMessageBytes)
        var header: [UInt8] = []
        SnapshotBudget.writeHeader(number: "Qdb3W", room: "lobby", keepsHistory: true, into: &header)
        #expect(budget.memberListLimit == WireLimits.maxServerMessageBytes - header.count - 2)
    }
}
