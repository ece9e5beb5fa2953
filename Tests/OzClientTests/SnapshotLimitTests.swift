import Foundation
import NIOCore
import OzClient
import OzProtocol
import Testing

@testable import OzGateway

/// The real client against a real gateway whose room is filled up to the 16 MiB a client accepts
/// (`WireLimits.maxServerMessageBytes`, the one constant both sides take their limit from).
@Suite("OzClient: a room filled to the snapshot limit")
struct SnapshotLimitTests {
    /// Near-4 KiB properties, as a member of a big room might have.
    static func properties(_ nick: String) -> JSONObject {
        ["Nickname": .string(nick), "pad": .string(String(repeating: "p", count: 3_990))]
    }

    /// Puts in-process members with properties of `padding` bytes into `room` until it refuses one; returns them.
    /// (4,000 real connections of 4 KiB would each be sent every later ONLINE entry: about 32 GB of presence.) Their
    /// connections are not on any socket, so what the room sends them goes nowhere.
    static func fill(_ room: Room, core: GatewayCore, padding: Int, limit: Int = 40) async throws -> [Member] {
        try await room.eventLoop.submit {
            var added: [Member] = []
            while added.count < limit {
                let number = core.numbers.draw()
                let pad = JSONValue.string(String(repeating: "p", count: padding))
                let info = ClientInfo(phoneNumber: number, status: .online, properties: ["Nickname": .string("f\(number)"), "pad": pad])
                let connection = ConnectionHandler(gateway: core, id: -1, logger: core.logger)
                let member = Member(info: info, numberIsDrawn: true, connection: connection, eventLoop: room.eventLoop)
                let before = room.count
                room.join(member)
                guard room.count > before else { break }
                added.append(member)
            }
            return added
        }.get()
    }

    @Test func theLastJoinerThatFitsGetsA16MiBSnapshotAndTheNextIsDeniedNotRetried() async throws {
        let gateway = try await ClientTestGateway.start()
        let core = gateway.core
        let room = try #require(core.rooms["lobby"] as? Room)
        // Big entries first, then smaller ones, so a few dozen joins fill 16 MiB to within one 4 KiB entry.
        var members = try await Self.fill(room, core: core, padding: 1 << 20)
        members += try await Self.fill(room, core: core, padding: 64 << 10)
        // Entries exactly as big as the clients' below (a 5-character number, a 5-character nickname, 3,990 bytes of pad).
        let last = try await Self.fill(room, core: core, padding: 3_990)
        #expect(!last.isEmpty)
        // One leaves: there is room for exactly one more such entry.
        let leaver = try #require(last.last)
        try await room.eventLoop.submit { room.leave(leaver) }.get()
        members += last.dropLast()
        let bystanders = try await room.eventLoop.submit { room.count }.get()
        #expect(bystanders == members.count)
        // Ann's snapshot: the header, every bystander's entry and the commas between them.
        var header: [UInt8] = []
        SnapshotBudget.writeHeader(number: "XXXXX", room: "lobby", keepsHistory: false, into: &header)
        let snapshotBytes = header.count + members.reduce(0) { $0 + $1.onlineJSON.count + 1 } - 1 + 2
        print("snapshot for the last member let in: \(snapshotBytes) bytes, \(bystanders) members")
        #expect(snapshotBytes <= WireLimits.maxServerMessageBytes)
        #expect(snapshotBytes > WireLimits.maxServerMessageBytes - 2 * 4_096)

        let ann = OzClient(configuration: .fastRetries)
        let annEvents = EventRecorder(ann)
        try await ann.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: ClientTestGateway.token, properties: Self.properties("annie"))
        _ = try await annEvents.waitForState("ACCESS_GRANTED", timeout: .seconds(30))
        #expect(await ann.roster.count == bystanders)

        let bob = OzClient(configuration: .fastRetries)
        let bobEvents = EventRecorder(bob)
        try await bob.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: ClientTestGateway.token, properties: Self.properties("bobby"))
        let state = try await bobEvents.waitForState("ACCESS_DENIED")
        guard case .accessDenied(let reason) = state else { throw EventRecorder.Timeout(description: "\(state)") }
        #expect(reason == "the room lobby is full (\(bystanders + 1) members): its member list would pass the 16 MiB snapshot limit")
        // A retry with these test settings would come within 50 ms.
        try await Task.sleep(for: .milliseconds(500))
        #expect(bobEvents.states.map(\.wireName) == ["CONNECTING", "ACCESS_DENIED"])
        #expect(annEvents.states.map(\.wireName) == ["CONNECTING", "ACCESS_GRANTED"])

        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }
}
