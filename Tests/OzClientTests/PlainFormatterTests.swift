import Foundation
import OzClient
import OzProtocol
import Testing

@Suite("--plain lines")
struct PlainFormatterTests {
    let date = Date(timeIntervalSince1970: 1_795_780_800.123)

    @Test func statesPresenceAndMessages() {
        var formatter = PlainFormatter(myNick: "Me")
        let now = ContinuousClock.now
        let one = ServerChoice(address: try! ServerAddress(parsing: "localhost"))
        #expect(
            formatter.lines(for: .connectionState(.connecting(attempt: 0, server: one)), at: date)
                == ["2026-11-27T12:00:00.123Z CONNECTING attempt=0 server=localhost:7779"])
        let second = ServerChoice(address: try! ServerAddress(parsing: "wss://b.example/chat"), index: 1, count: 3)
        #expect(
            formatter.lines(for: .connectionState(.connecting(attempt: 2, server: second)), at: date)
                == ["2026-11-27T12:00:00.123Z CONNECTING attempt=2 server=wss://b.example:7779/chat (2 of 3)"])
        #expect(
            formatter.lines(for: .connectionState(.accessGranted(phoneNumber: "Me123", room: "lobby")), at: date)
                == ["2026-11-27T12:00:00.123Z ACCESS_GRANTED number=Me123 room=lobby"])
        #expect(
            formatter.lines(for: .clientState(ClientInfo(phoneNumber: "Ab123", status: .online, properties: ["Nickname": "Ann Lee"])), at: date)
                == ["2026-11-27T12:00:00.123Z ONLINE Ab123 Ann Lee"])
        #expect(
            formatter.lines(for: .message(ChatMessage(id: "1", from: "Ab123", to: "*", text: "hi", ts: "")), at: date)
                == ["2026-11-27T12:00:00.123Z <Ann Lee> hi"])
        #expect(
            formatter.lines(for: .message(ChatMessage(id: "2", from: "Ab123", to: "Me123", text: "psst", ts: "")), at: date)
                == ["2026-11-27T12:00:00.123Z [private] <Ann Lee> psst"])
        #expect(
            formatter.lines(for: .message(ChatMessage(id: "3", from: "Me123", to: "Ab123", text: "ok", ts: "")), at: date)
                == ["2026-11-27T12:00:00.123Z [private to Ann Lee] <Me> ok"])
        let retry = RetryPlan(attempt: 1, delay: .milliseconds(1500), deadline: now + .milliseconds(1500))
        #expect(
            formatter.lines(for: .connectionState(.connectionClosed(reason: .gateway(.shutdown), retry: retry)), at: date, now: now)
                == ["2026-11-27T12:00:00.123Z CONNECTION_CLOSED reason=shutdown retry_in=1.50s retry_at=2026-11-27T12:00:01.623Z"])
        #expect(
            formatter.lines(for: .connectionState(.accessDenied(reason: "unknown token")), at: date)
                == ["2026-11-27T12:00:00.123Z ACCESS_DENIED reason=\"unknown token\""])
        #expect(
            formatter.lines(for: .connectionState(.connectionClosed(reason: .gateway(.replaced), retry: nil)), at: date)
                == ["2026-11-27T12:00:00.123Z CONNECTION_CLOSED reason=replaced retry=none"])
    }

    @Test func hostileStringsCannotBreakTheLine() {
        var formatter = PlainFormatter(myNick: "Me")
        let hostile = ClientInfo(phoneNumber: "X\n1", status: .online, properties: ["Nickname": "\u{1B}[2J\u{1B}]0;t\u{07}\r\u{202E}evil"])
        let line = formatter.lines(for: .clientState(hostile), at: date)
        #expect(line == ["2026-11-27T12:00:00.123Z ONLINE X^J1 ^[[2J^[]0;t^G^M<U+202E>evil"])
        #expect(
            formatter.lines(for: .error(code: ErrorCode(rawValue: "A B"), message: "x\"y"), at: date)
                == ["2026-11-27T12:00:00.123Z ERROR code=A B message=\"x\\\"y\""])
    }

    @Test func leavingARoomIsOneOfflineLinePerPeer() {
        var formatter = PlainFormatter(myNick: "Me")
        let bob = ClientInfo(phoneNumber: "Bob01", status: .online, properties: ["Nickname": "Bob"])
        _ = formatter.lines(for: .clientState(bob), at: date)
        let left = ClientInfo(phoneNumber: "Bob01", status: .offline, properties: ["Nickname": "Bob"])
        #expect(formatter.lines(for: .roomLeft(peers: [left]), at: date) == ["2026-11-27T12:00:00.123Z OFFLINE Bob01 Bob"])
        #expect(formatter.peers.isEmpty)
    }
}
