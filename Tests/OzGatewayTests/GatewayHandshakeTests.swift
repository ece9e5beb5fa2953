import Foundation
import NIOCore
import OzProtocol
import Testing

@testable import OzGateway

@Suite("Gateway: connect handshake")
struct GatewayHandshakeTests {
    @Test func lineTokenGrantsFreshNumbersAndSnapshotExcludesSelf() async throws {
        try await TestGateway.with { gateway in
            let (a, grantA) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "Ann"])
            let numberA = try #require(grantA.grantedNumber)
            #expect(numberA.count == 5 && numberA.allSatisfy { $0.isLetter || $0.isNumber })
            #expect(grantA.grantedClients == [])
            guard case .accessGranted(_, let room, _) = grantA else {
                Issue.record("not granted")
                return
            }
            #expect(room == "lobby")

            let (b, grantB) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken, properties: ["Nickname": "Bob"])
            let numberB = try #require(grantB.grantedNumber)
            #expect(numberB != numberA)
            #expect(grantB.grantedClients == [ClientInfo(phoneNumber: numberA, status: .online, properties: ["Nickname": "Ann"])])
            let joined = try await a.presenceChanges(count: 1)
            #expect(joined == [ClientInfo(phoneNumber: numberB, status: .online, properties: ["Nickname": "Bob"])])

            await b.close()
            let left = try await a.presenceChanges(count: 1)
            #expect(left == [ClientInfo(phoneNumber: numberB, status: .offline, properties: ["Nickname": "Bob"])])
            await a.close()
        }
    }

    @Test func propertiesArePreservedExactlyAndPasswordsStripped() async throws {
        let sent =
            #"{"Nickname":"Zoë 😀 李","Avatar":"http://a/1.jpg","Password":"p","password":"q","pAsSwOrD":"r","#
            + #""nested":{"list":[1,-3,1.50,1e3,12345678901234567890,true,false,null],"e\u0301":"\u0000x"},"PASSWORDS":"kept"}"#
        let expected =
            #"{"Nickname":"Zoë 😀 李","Avatar":"http://a/1.jpg","#
            + #""nested":{"list":[1,-3,1.50,1e3,12345678901234567890,true,false,null],"é":"\u0000x"},"PASSWORDS":"kept"}"#
        try await TestGateway.with { gateway in
            let a = try await TestSocket.connect(port: gateway.port)
            try await a.sendText(#"{"type":"connect","token":"lobby-token-1","properties":"# + sent + "}")
            _ = try await a.nextFrame()
            let b = try await TestSocket.connect(port: gateway.port)
            try await b.send(.connect(token: TestGateway.lobbyToken, properties: [:]))
            let snapshot = try await b.nextText()
            #expect(snapshot.contains(#""properties":"# + expected))
            #expect(!snapshot.lowercased().contains(#""password""#))
        }
    }

    @Test func extensionLoginUsesItsNumberAndASecondLoginReplacesTheFirst() async throws {
        try await TestGateway.with { gateway in
            let (watcher, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let (first, grant) = try await TestSocket.join(
                port: gateway.port, token: TestGateway.extensionNumber, properties: ["Nickname": "John", "Password": "12345678"])
            #expect(grant.grantedNumber == "1500")
            _ = try await watcher.presenceChanges(count: 1)

            let (second, grant2) = try await TestSocket.join(
                port: gateway.port, token: TestGateway.extensionNumber, properties: ["Nickname": "John2", "password": "12345678"])
            #expect(grant2.grantedNumber == "1500")
            #expect(grant2.grantedClients?.map(\.phoneNumber).contains("1500") == false)
            #expect(try await first.nextFrame() == .connectionClosed(reason: .replaced))
            #expect(await first.closeCode() == 1000)
            let changes = try await watcher.presenceChanges(count: 2)
            #expect(changes.map(\.status) == [.offline, .online])
            #expect(changes.map { $0.nickname } == ["John", "John2"])
            await second.close()
        }
    }

    @Test(arguments: [
        (TestGateway.extensionNumber, ["Password": "wrong"] as JSONObject),
        (TestGateway.extensionNumber, JSONObject()),
        ("no-such-token", JSONObject()),
        (TestGateway.expiredToken, JSONObject()),
        ("", JSONObject()),
        (String(repeating: "t", count: 257), JSONObject()),
        (TestGateway.lobbyToken, ["big": .string(String(repeating: "x", count: 4100))] as JSONObject),
    ])
    func badCredentialsAreDeniedThenClosedWith1008(token: String, properties: JSONObject) async throws {
        try await TestGateway.with { gateway in
            let (socket, reply) = try await TestSocket.join(port: gateway.port, token: token, properties: properties)
            guard case .accessDenied(let reason) = reply else {
                Issue.record("expected ACCESS_DENIED, got \(reply)")
                return
            }
            #expect(!reason.isEmpty)
            #expect(await socket.closeCode() == 1008)
        }
    }

    @Test func expiredTokenSaysSo() async throws {
        try await TestGateway.with { gateway in
            let (_, reply) = try await TestSocket.join(port: gateway.port, token: TestGateway.expiredToken)
            #expect(reply == .accessDenied(reason: "token expired at 2001-01-01T00:00:00.000Z"))
        }
    }

    @Test func silentSocketIsClosedAtTheHandshakeDeadline() async throws {
        try await TestGateway.with {
            $0.handshakeTimeout = .milliseconds(300)
        } _: { gateway in
            let socket = try await TestSocket.connect(port: gateway.port)
            #expect(await socket.closeCode(timeout: .seconds(5)) == 1008)
        }
    }

    @Test func grantedSessionOutlivesTheHandshakeDeadline() async throws {
        // The event loops are shared with every other in-process test, so on a loaded machine the join itself can take
        // longer than a short deadline; a join that the deadline legitimately cut short (it took at least the deadline)
        // is tried again with a longer one. A grant that is later closed fails at once.
        for deadline: Duration in [.seconds(3), .seconds(10), .seconds(30)] {
            let granted = try await TestGateway.with {
                $0.handshakeTimeout = .nanoseconds(Int64(deadline.components.seconds) * 1_000_000_000)
            } _: { gateway -> Bool in
                let started = ContinuousClock.now
                do {
                    let (socket, grant) = try await TestSocket.join(
                        port: gateway.port, token: TestGateway.lobbyToken, timeout: deadline + .seconds(5))
                    #expect(grant.grantedNumber != nil)
                    #expect(await socket.isClosed(within: deadline + .seconds(2)) == false)
                    return true
                } catch  where ContinuousClock.now - started >= deadline {
                    return false
                }
            }
            if granted { return }
        }
        Issue.record("no join completed within the handshake deadline, even 30 s")
    }

    @Test func disconnectIsAnsweredWithConnectionClosedClientAnd1000() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await socket.send(.disconnect)
            #expect(try await socket.nextFrame() == .connectionClosed(reason: .client))
            #expect(await socket.closeCode() == 1000)
        }
    }
}
