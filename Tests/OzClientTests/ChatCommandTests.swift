import OzClient
import Testing

@Suite("Typed commands")
struct ChatCommandTests {
    @Test(arguments: [
        ("hello", ChatCommand.say("hello")), ("  spaced  ", .say("  spaced  ")), ("//slash", .say("/slash")),
        ("/msg Ann hi there", .msg(target: "Ann", text: "hi there")), ("/MSG 1500 x", .msg(target: "1500", text: "x")),
        ("/connect", .connect(nil)),
        (
            "/connect host:7779 tok --nick 'Mary Ann' --password \"p w\"",
            .connect(ConnectArguments(server: "host:7779", token: "tok", nick: "Mary Ann", password: "p w"))
        ),
        (
            "/connect a.example tok --server 'b.example:7781' --nick N --server wss://c.example",
            .connect(ConnectArguments(servers: ["a.example", "b.example:7781", "wss://c.example"], token: "tok", nick: "N"))
        ),
        ("/server --server a --server b 1500", .connect(ConnectArguments(servers: ["a", "b"], token: "1500"))),
        ("/join h t --server g", .join(.room(ConnectArguments(servers: ["h", "g"], token: "t")))),
        ("/join --server g t", .join(.room(ConnectArguments(servers: ["g"], token: "t")))),
        ("/join lobby", .join(.saved("lobby"))),
        ("/disconnect", .disconnect), ("/reconnect", .reconnect), ("/nick Zoë", .nick("Zoë")), ("/whois Ann", .whois("Ann")),
        ("/clear", .clear), ("/help", .help), ("/quit", .quit),
    ])
    func parses(line: String, command: ChatCommand) throws {
        #expect(try ChatCommand.parse(line) == command)
    }

    @Test func blankLinesAreNothing() throws {
        #expect(try ChatCommand.parse("   ") == nil)
    }

    @Test(arguments: [
        "/frob", "/msg", "/msg Ann", "/nick", "/whois", "/whois a b", "/connect onlyserver", "/connect h t --bogus x", "/connect h 't",
        "/connect h t --nick", "/connect --server a", "/connect a b t", "/connect a t --server", "/join a b t --server c",
    ])
    func rejects(line: String) {
        #expect(throws: CommandError.self) { try ChatCommand.parse(line) }
    }
}
