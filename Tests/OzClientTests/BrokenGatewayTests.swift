import OzClient
import OzProtocol
import Testing

/// A gateway that breaks the protocol must not be able to rewrite the client's session behind the state machine.
@Suite("OzClient against a gateway that breaks the protocol")
struct BrokenGatewayTests {
    static func peer(_ number: String) -> ClientInfo {
        ClientInfo(phoneNumber: number, status: .online, properties: ["Nickname": .string("n\(number)")])
    }

    @Test func aSecondGrantMidSessionIsIgnoredAndReported() async throws {
        let gateway = try await ScriptedGateway.start(answering: [
            ServerFrame.accessGranted(phoneNumber: "Me001", room: "lobby", clients: [Self.peer("A1"), Self.peer("B2")]).encoded,
            ServerFrame.accessGranted(phoneNumber: "Other", room: "elsewhere", clients: [Self.peer("Z9")]).encoded,
            ServerFrame.clientStateChanged([Self.peer("C3")]).encoded,
        ])
        let client = OzClient(configuration: .fastRetries)
        let events = EventRecorder(client)
        try await client.connect(serverAddress: "127.0.0.1:\(gateway.port)", token: "t")
        _ = try await events.wait(for: "C3 online") { $0.client?.phoneNumber == "C3" }
        #expect(await client.roster.map(\.phoneNumber).sorted() == ["A1", "B2", "C3"])
        #expect(await client.phoneNumber == "Me001")
        #expect(events.states.filter { $0.wireName == "ACCESS_GRANTED" }.count == 1)
        #expect(events.events.contains { if case .error(_, let message) = $0 { message.contains("ACCESS_GRANTED again") } else { false } })
        await client.shutdown()
        await gateway.stop()
    }
}
