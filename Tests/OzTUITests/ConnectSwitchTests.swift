import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// The UI's `/connect` and prompt under issue #12: a password goes only to the server it was given for, and another
/// room starts with an empty roster.
@Suite("Connecting elsewhere")
struct ConnectSwitchTests {
    static let credentials = Credentials(server: "ws://127.0.0.1:7779/", token: "1500", nickname: "John", password: "12345678")

    static func granted() -> AppState {
        var state = AppState(credentials: credentials, size: TerminalSize(rows: 24, columns: 80), date: Date(timeIntervalSince1970: 1_795_780_800))
        _ = state.reduce(.client(.connectionState(.connecting(attempt: 0, server: .loopback))))
        _ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "1500", room: "lobby"))))
        _ = state.reduce(.client(.clientState(ClientInfo(phoneNumber: "Bob01", status: .online, properties: ["Nickname": "Bob"]))))
        _ = state.reduce(.client(.rosterSynced(peers: 1)))
        return state
    }

    static func type(_ text: String, into state: inout AppState) -> [AppEffect] {
        _ = state.reduce(.key(.text(text)))
        return state.reduce(.key(.enter))
    }

    static func passwordSent(_ effects: [AppEffect]) -> String? {
        guard case .connect(let credentials, _)? = effects.first else { return nil }
        return credentials.password
    }

    @Test func slashConnectElsewhereSendsNoPasswordUnlessGiven() {
        var state = Self.granted()
        #expect(Self.passwordSent(Self.type("/connect 127.0.0.1 1500", into: &state)) == "12345678")
        #expect(Self.passwordSent(Self.type("/connect 127.0.0.1:7780 1500", into: &state)) == "")
        #expect(Self.passwordSent(Self.type("/connect 127.0.0.1:7779 1500", into: &state)) == "")
        #expect(Self.passwordSent(Self.type("/connect 127.0.0.1:7779 1500 --password again", into: &state)) == "again")
    }

    @Test func thePromptEmptiesThePasswordForAnotherServerAndRestoresItForTheSame() {
        var state = Self.granted()
        _ = state.reduce(.key(.function(2)))
        #expect(state.form?.text(.password) == "12345678")
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("127.0.0.1:7780")))
        #expect(state.form?.text(.password) == "")
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("localhost")))
        #expect(state.form?.text(.password) == "")
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("127.0.0.1")))
        #expect(state.form?.text(.password) == "12345678")
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("other")))
        #expect(Self.passwordSent(state.reduce(.key(.enter))) == "")
        #expect(state.credentials.password == "")
    }

    @Test func aPasswordTypedInThePromptIsKept() {
        var state = Self.granted()
        _ = state.reduce(.key(.function(2)))
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("other")))
        for _ in 0..<4 { _ = state.reduce(.key(.tab)) }
        #expect(state.form?.focus == .password)
        _ = state.reduce(.key(.text("typed")))
        _ = state.reduce(.key(.backTab))
        for _ in 0..<3 { _ = state.reduce(.key(.backTab)) }
        #expect(state.form?.focus == .server)
        _ = state.reduce(.key(.text("2")))
        #expect(state.form?.text(.password) == "typed")
        #expect(Self.passwordSent(state.reduce(.key(.enter))) == "typed")
    }

    @Test func leavingTheRoomEmptiesTheRosterAndNobodyLeftWhileAway() {
        var state = Self.granted()
        _ = state.reduce(.client(.roomLeft(peers: [ClientInfo(phoneNumber: "Bob01", status: .offline, properties: ["Nickname": "Bob"])])))
        #expect(state.roster.isEmpty)
        #expect(state.room == nil)
        #expect(state.log.entries.last?.text == "left lobby: 1 peer no longer shown")
        _ = state.reduce(.client(.connectionState(.connecting(attempt: 0, server: .loopback))))
        _ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "1500", room: "other"))))
        _ = state.reduce(.client(.clientState(ClientInfo(phoneNumber: "Cy001", status: .online, properties: ["Nickname": "Cy"]))))
        _ = state.reduce(.client(.rosterSynced(peers: 1)))
        #expect(state.log.entries.last?.text == "1 peer here")
        #expect(state.roster.map(\.displayName) == ["Cy"])
    }
}
