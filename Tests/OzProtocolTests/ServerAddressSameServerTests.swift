import OzProtocol
import Testing

@Suite("Same server")
struct ServerAddressSameServerTests {
    @Test(arguments: [
        ("localhost", "localhost:7779"), ("localhost", "ws://localhost:7779/"), ("LocalHost:7779", "ws://localhost"),
        ("127.0.0.1", "ws://127.0.0.1:7779/"), ("[::1]", "ws://[::1]:7779/"), ("wss://h", "wss://h:7779/"), ("not a host", "not a host"),
    ])
    func same(_ first: String, _ second: String) {
        #expect(ServerAddress.sameServer(first, second))
        #expect(ServerAddress.sameServer(second, first))
    }

    @Test(arguments: [
        ("localhost", "127.0.0.1"), ("localhost", "localhost:7780"), ("ws://h/", "wss://h/"), ("ws://h/a", "ws://h/b"), ("h", "h2"),
        ("not a host", "h"),
    ])
    func different(_ first: String, _ second: String) {
        #expect(!ServerAddress.sameServer(first, second))
        #expect(!ServerAddress.sameServer(second, first))
    }
}
