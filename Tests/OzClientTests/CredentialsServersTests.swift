import OzClient
import OzProtocol
import Testing

/// Credentials for a room with several servers: the password goes only to servers it was given with (issue 12 kept),
/// and `/connect` takes the servers as the command line does.
@Suite("Credentials with several servers")
struct CredentialsServersTests {
    static let credentials = Credentials(
        servers: ["a.example", "b.example:7781", "wss://c.example"], token: "1500", nickname: "John", password: "12345678")

    @Test func droppingOrReorderingServersKeepsThePasswordAndAnyNewServerDropsIt() {
        var credentials = Self.credentials
        credentials.servers = ["ws://b.example:7781/", "a.example:7779"]
        #expect(credentials.password == "12345678")
        credentials.servers = ["a.example", "d.example"]
        #expect(credentials.password == "")
        credentials.password = "again"
        credentials.servers = ["a.example", "localhost"]
        #expect(credentials.password == "", "a new server anywhere in the list, not only the first")
    }

    @Test func theFirstServerIsWhatThePromptEdits() {
        let credentials = Self.credentials
        #expect(credentials.server == "a.example")
        #expect(credentials.servers(withFirst: "b.example:7781") == ["b.example:7781", "a.example", "wss://c.example"])
        #expect(credentials.servers(withFirst: "a.example:7779") == ["a.example:7779", "b.example:7781", "wss://c.example"])
        #expect(credentials.servers(withFirst: "elsewhere") == ["elsewhere"])
    }

    static func run(_ line: String) -> CommandOutcome? {
        let context = CommandContext(credentials: credentials, isGranted: true, myNumber: "1500", roster: Roster(), frontEnd: .plain)
        return CommandInterpreter.run(line: line, in: context)
    }

    @Test func slashConnectTakesSeveralServersAndKeepsThePasswordOnlyForTheRoomsOwn() {
        let same = Self.run("/connect wss://c.example 1500 --server a.example")
        #expect(same?.credentials.servers == ["wss://c.example", "a.example"])
        #expect(same?.actions == [.connect(same!.credentials)])
        #expect(same?.credentials.password == "12345678")
        let wider = Self.run("/connect a.example 1500 --server d.example")
        #expect(wider?.credentials.servers == ["a.example", "d.example"])
        #expect(wider?.credentials.password == "")
        #expect(Self.run("/connect a.example 1500 --server d.example --password pw")?.credentials.password == "pw")
    }

    @Test func aBadServerAnywhereInTheListIsRefused() {
        let outcome = Self.run("/connect a.example 1500 --server http://x")
        #expect(outcome?.credentials == Self.credentials)
        #expect(outcome?.actions == [.refusal("cannot connect: SERVER \"http://x\": unsupported scheme \"http://\": use ws:// or wss://")])
    }
}
