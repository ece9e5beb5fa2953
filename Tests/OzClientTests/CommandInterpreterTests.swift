import OzClient
import OzProtocol
import Testing

/// The one interpreter of typed commands, as `--plain` and the UI both run it.
@Suite("Command interpreter")
struct CommandInterpreterTests {
    static let credentials = Credentials(server: "chat.example:7779", token: "1500", nickname: "John", password: "12345678")
    static let roster: Roster = {
        var roster = Roster()
        roster.apply(change: ClientInfo(phoneNumber: "Ann01", status: .online, properties: ["Nickname": "Ann", "Avatar": "http://a/1"]))
        roster.apply(change: ClientInfo(phoneNumber: "Bob01", status: .online, properties: ["Nickname": "bob"]))
        return roster
    }()

    static func context(granted: Bool = true, _ frontEnd: FrontEnd = .plain) -> CommandContext {
        CommandContext(credentials: credentials, isGranted: granted, myNumber: granted ? "1500" : nil, roster: roster, frontEnd: frontEnd)
    }

    static func run(_ line: String, _ context: CommandContext = context()) -> CommandOutcome? {
        CommandInterpreter.run(line: line, in: context)
    }

    @Test func textAndPrivateMessagesGoOnlyWhileGranted() {
        #expect(Self.run("hi all")?.actions == [.send(text: "hi all", to: "*")])
        #expect(Self.run("/msg BOB psst")?.actions == [.send(text: "psst", to: "Bob01")])
        #expect(Self.run("/msg 1500 note to self")?.actions == [.send(text: "note to self", to: "1500")])
        for frontEnd in [FrontEnd.plain, .terminal] {
            let refused = Self.run("/msg Ann hi", Self.context(granted: false, frontEnd))
            #expect(refused?.actions == [.refusal("not connected: the message was not sent")])
            #expect(refused?.consumed == false)
        }
        // While a session is on its way back, room messages wait for it; private ones are still refused.
        var reconnecting = Self.context(granted: false, .plain)
        reconnecting.isReconnecting = true
        #expect(Self.run("still here?", reconnecting)?.actions == [.send(text: "still here?", to: "*")])
        #expect(Self.run("/msg Ann hi", reconnecting)?.actions == [.refusal("not connected: the message was not sent")])
        let long = Self.run(String(repeating: "x", count: WireLimits.maxTextScalars + 1))
        #expect(long?.consumed == false)
        #expect(Self.run("/msg nobody hi")?.actions == [.refusal("no one called nobody is here")])
    }

    @Test func connectElsewhereDropsThePasswordUnlessGiven() {
        let elsewhere = Self.run("/connect other.example 1500")
        #expect(elsewhere?.credentials.password == "")
        #expect(elsewhere?.actions == [.connect(elsewhere!.credentials)])
        #expect(Self.run("/connect other.example 1500 --password s3cret")?.credentials.password == "s3cret")
        // The same server, spelled otherwise, keeps it; so do /nick and /reconnect.
        #expect(Self.run("/connect ws://CHAT.example:7779/ 1501")?.credentials.password == "12345678")
        #expect(Self.run("/nick Johnny")?.credentials.password == "12345678")
        #expect(Self.run("/reconnect")?.actions == [.connect(Self.credentials)])
    }

    @Test func aBadServerIsRefusedAndChangesNothing() {
        let outcome = Self.run("/connect http://x tok")
        #expect(outcome?.credentials == Self.credentials)
        #expect(outcome?.consumed == false)
        guard case .refusal(let text)? = outcome?.actions.first else {
            Issue.record("not refused")
            return
        }
        #expect(text.hasPrefix("cannot connect: SERVER \"http://x\""))
        // So /reconnect still goes where it went before, in both front ends.
        #expect(Self.run("/reconnect", Self.context(.terminal))?.actions == [.connect(Self.credentials)])
    }

    @Test func whoisShowsPeersAndOurselvesWithoutThePassword() {
        #expect(Self.run("/whois ann")?.actions == [.notice("Ann (Ann01)"), .notice("  Nickname: Ann"), .notice("  Avatar: http://a/1")])
        #expect(Self.run("/whois 1500")?.actions == [.notice("John (1500)"), .notice("  Nickname: John")])
        #expect(Self.run("/whois nobody")?.actions == [.refusal("no one called nobody is here")])
    }

    @Test func whatDependsOnTheFrontEnd() {
        #expect(Self.run("/connect", Self.context(.terminal))?.actions == [.openPrompt])
        #expect(Self.run("/connect", Self.context(.plain))?.actions.first.map { if case .refusal = $0 { true } else { false } } == true)
        #expect(Self.run("/clear", Self.context(.terminal))?.actions == [.clearLog])
        let help = CommandHelp.lines(for: .plain)
        #expect(Self.run("/help")?.actions == help.map(CommandAction.notice))
        #expect(!help.contains { $0.hasPrefix("/clear") || $0.hasPrefix("keys:") })
        #expect(CommandHelp.lines(for: .terminal).contains { $0.hasPrefix("/clear") })
        #expect(Self.run("/quit")?.actions == [.quit])
        #expect(Self.run("/nick Neo")?.actions.first == .notice("reconnecting as Neo"))
    }

    @Test func badLinesAreRefusedAndBlankOnesAreNothing() {
        #expect(Self.run("   ") == nil)
        #expect(Self.run("/frob")?.consumed == false)
    }
}
