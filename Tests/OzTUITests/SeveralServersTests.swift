import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// A room with several servers in the UI (issue 15): the log and status bar name the server tried, and the prompt
/// edits the first server, keeping the others while it names one of them.
@Suite("Several servers in the UI")
struct SeveralServersTests {
    static let servers = ["127.0.0.1:7779", "127.0.0.1:7780", "127.0.0.1:7781"]
    static let credentials = Credentials(servers: servers, token: "1500", nickname: "John", password: "12345678")

    static func choice(_ index: Int) -> ServerChoice {
        ServerChoice(address: try! ServerAddress(parsing: servers[index]), index: index, count: servers.count)
    }

    static func state() -> AppState {
        AppState(credentials: credentials, size: TerminalSize(rows: 24, columns: 100), date: Date(timeIntervalSince1970: 1_795_780_800))
    }

    /// The credentials of the connect effects.
    static func connected(_ effects: [AppEffect]) -> [Credentials] {
        effects.compactMap { if case .connect(let credentials, _) = $0 { credentials } else { nil } }
    }

    @Test func theLogAndTheStatusBarNameTheServerTried() {
        var state = Self.state()
        _ = state.reduce(.client(.connectionState(.connecting(attempt: 0, server: Self.choice(0)))))
        let retry = RetryPlan(attempt: 1, delay: .seconds(5), deadline: state.now + .seconds(5))
        _ = state.reduce(.client(.connectionState(.connectionFailed(reason: "connection refused", retry: retry))))
        _ = state.reduce(.client(.connectionState(.connecting(attempt: 1, server: Self.choice(1)))))
        let lines = state.log.entries.map(\.text)
        #expect(lines.contains("CONNECTING to 127.0.0.1:7779 (1 of 3)"))
        #expect(lines.contains("CONNECTING to 127.0.0.1:7780 (2 of 3, retry 1)"))
        _ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "1500", room: "lobby"))))
        let screen = RenderTests.render(state)
        #expect(screen.lines[state.size.rows - 2].contains("127.0.0.1:7780 (2 of 3)"), "\(screen.lines[state.size.rows - 2])")
        // A room with one server: its address, no count.
        var single = AppState(credentials: Credentials(server: "localhost", token: "t", nickname: "n"), size: state.size, date: state.date)
        let only = ServerChoice(address: try! ServerAddress(parsing: "localhost"))
        _ = single.reduce(.client(.connectionState(.connecting(attempt: 2, server: only))))
        #expect(single.log.entries.last?.text == "CONNECTING to localhost (retry 2)", "as written")
    }

    @Test func thePromptKeepsTheOtherServersWhileServerIsOneOfThem() {
        var state = Self.state()
        _ = state.reduce(.key(.function(2)))
        #expect(state.form?.text(.server) == "127.0.0.1:7779")
        #expect(state.form?.serversNote == "then 127.0.0.1:7780, 127.0.0.1:7781")
        #expect(RenderTests.render(state).text.contains("then 127.0.0.1:7780, 127.0.0.1:7781"))
        // Server set to the third: it goes first, the others follow, the password stays theirs.
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("127.0.0.1:7781")))
        #expect(state.form?.serversNote == "then 127.0.0.1:7779, 127.0.0.1:7780")
        #expect(state.form?.text(.password) == "12345678")
        let submitted = Self.connected(state.reduce(.key(.enter)))
        #expect(submitted.map(\.servers) == [["127.0.0.1:7781", "127.0.0.1:7779", "127.0.0.1:7780"]])
        #expect(submitted.map(\.password) == ["12345678"])
    }

    @Test func anotherServerInThePromptReplacesTheListAndSaysSo() {
        var state = Self.state()
        _ = state.reduce(.key(.function(2)))
        _ = state.reduce(.key(.control("u")))
        _ = state.reduce(.key(.text("elsewhere.example")))
        #expect(state.form?.serversNote == "instead of 127.0.0.1:7779, 127.0.0.1:7780, 127.0.0.1:7781")
        #expect(state.form?.text(.password) == "")
        let submitted = Self.connected(state.reduce(.key(.enter)))
        #expect(submitted.map(\.servers) == [["elsewhere.example"]])
        #expect(submitted.map(\.password) == [""])
    }

    @Test func aRoomWithOneServerHasNoNote() {
        var state = AppState(credentials: AppStateTests.credentials, size: TerminalSize(rows: 24, columns: 80), date: Date())
        _ = state.reduce(.key(.function(2)))
        #expect(state.form != nil && state.form?.serversNote == nil)
    }
}
