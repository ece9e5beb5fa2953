import Testing

@testable import OzProtocol

@Suite struct ServerAddressTests {
    /// Every accepted form, with the URL it normalizes to.
    @Test(arguments: [
        ("example.com", "ws://example.com:7779/"),
        ("  Example.COM \n", "ws://example.com:7779/"),
        ("example.com:8080", "ws://example.com:8080/"),
        ("localhost:1", "ws://localhost:1/"),
        ("localhost:65535", "ws://localhost:65535/"),
        ("localhost:007779", "ws://localhost:7779/"),
        ("127.0.0.1", "ws://127.0.0.1:7779/"),
        ("10.0.0.255:9000", "ws://10.0.0.255:9000/"),
        ("a-b.c-d.example", "ws://a-b.c-d.example:7779/"),
        ("host/chat", "ws://host:7779/chat"),
        ("[::1]", "ws://[::1]:7779/"),
        ("[::1]:8080", "ws://[::1]:8080/"),
        ("[FE80::1]", "ws://[fe80::1]:7779/"),
        ("[::ffff:192.0.2.1]:80", "ws://[::ffff:192.0.2.1]:80/"),
        ("[1:2:3:4:5:6:7:8]", "ws://[1:2:3:4:5:6:7:8]:7779/"),
        ("::1", "ws://[::1]:7779/"),
        ("fe80::1", "ws://[fe80::1]:7779/"),
        ("2001:db8::", "ws://[2001:db8::]:7779/"),
        ("1:2:3:4:5:6:7:8", "ws://[1:2:3:4:5:6:7:8]:7779/"),
        ("ws://example.com", "ws://example.com:7779/"),
        ("ws://example.com/", "ws://example.com:7779/"),
        ("WS://Example.com:80/Chat/Room", "ws://example.com:80/Chat/Room"),
        ("wss://example.com", "wss://example.com:7779/"),
        ("wss://example.com:443/ws", "wss://example.com:443/ws"),
        ("wss://[::1]:7443/x%20y", "wss://[::1]:7443/x%20y"),
        ("ws://[2001:DB8::1]/", "ws://[2001:db8::1]:7779/"),
        ("ws://host/a:b@c;d=e,f+g!$&'()*~_-.", "ws://host:7779/a:b@c;d=e,f+g!$&'()*~_-."),
        ("\tws://host:1234\t", "ws://host:1234/"),
    ])
    func acceptsEveryDocumentedForm(input: String, url: String) throws {
        let address = try ServerAddress(parsing: input)
        #expect(address.url == url)
        #expect(address.description == url)
        #expect(try ServerAddress(parsing: address.url) == address, "the URL parses back to the same address")
    }

    @Test func exposesItsParts() throws {
        let address = try ServerAddress(parsing: "wss://[::1]:8443/chat")
        #expect(address.scheme == .wss)
        #expect(address.scheme.isSecure)
        #expect(address.host == "::1")
        #expect(address.isIPv6)
        #expect(address.hostForURL == "[::1]")
        #expect(address.port == 8443)
        #expect(address.path == "/chat")

        let plain = try ServerAddress(parsing: "Chat.Example.org")
        #expect(plain.scheme == .ws)
        #expect(!plain.scheme.isSecure)
        #expect(plain.host == "chat.example.org")
        #expect(!plain.isIPv6)
        #expect(plain.port == WireLimits.defaultPort)
        #expect(plain.path == "/")
    }

    @Test func memberwiseInitializerChecksParts() throws {
        #expect(try ServerAddress(host: "::1").url == "ws://[::1]:7779/")
        #expect(try ServerAddress(host: "::1:7779").host == "::1:7779", "no port can follow an explicit host")
        #expect(try ServerAddress(scheme: .wss, host: "Example.com", port: 1, path: "/p").url == "wss://example.com:1/p")
        #expect(throws: ServerAddressError.portOutOfRange("0")) { try ServerAddress(host: "h", port: 0) }
        #expect(throws: ServerAddressError.missingHost) { try ServerAddress(host: "") }
        #expect(throws: ServerAddressError.invalidPath("p")) { try ServerAddress(host: "h", path: "p") }
        #expect(throws: ServerAddressError.invalidIPv6("1::2::3")) { try ServerAddress(host: "1::2::3") }
    }

    /// Every rejected form, with the error it gets.
    @Test(arguments: [
        ("", ServerAddressError.empty),
        ("   \t\n", .empty),
        ("http://example.com", .unsupportedScheme("http")),
        ("HTTPS://example.com", .unsupportedScheme("HTTPS")),
        ("ftp://example.com:21", .unsupportedScheme("ftp")),
        ("://example.com", .unsupportedScheme("")),
        ("ws://", .missingHost),
        ("ws:///chat", .missingHost),
        (":7779", .missingHost),
        ("/chat", .missingHost),
        ("[]", .missingHost),
        ("[]:80", .missingHost),
        ("example.com:", .missingPort),
        ("[::1]:", .missingPort),
        ("example.com:http", .invalidPort("http")),
        ("example.com:-1", .invalidPort("-1")),
        ("example.com:+80", .invalidPort("+80")),
        ("example.com:8o", .invalidPort("8o")),
        ("example.com:0", .portOutOfRange("0")),
        ("example.com:65536", .portOutOfRange("65536")),
        ("example.com:99999999999999999999999", .portOutOfRange("99999999999999999999999")),
        ("ws://[::1]:70000/", .portOutOfRange("70000")),
        ("::1:7779", .unbracketedIPv6(address: "::1", port: "7779")),
        ("FE80::1:80", .unbracketedIPv6(address: "fe80::1", port: "80")),
        ("1:2:3:4:5:6:7:8:7779", .unbracketedIPv6(address: "1:2:3:4:5:6:7:8", port: "7779")),
        ("ws://::1:7779/", .unbracketedIPv6(address: "::1", port: "7779")),
        ("host:1:2", .invalidIPv6("host:1:2")),
        (":::", .invalidIPv6(":::")),
        ("1::2::3", .invalidIPv6("1::2::3")),
        ("[example.com]", .invalidIPv6("example.com")),
        ("[127.0.0.1]", .invalidIPv6("127.0.0.1")),
        ("[12345::1]", .invalidIPv6("12345::1")),
        ("[1:2:3:4:5:6:7:8:9]", .invalidIPv6("1:2:3:4:5:6:7:8:9")),
        ("[fe80::1%eth0]", .invalidIPv6("fe80::1%eth0")),
        ("[::1", .unclosedBracket),
        ("ws://[::1/chat", .unclosedBracket),
        ("[::1]x", .unexpectedAfterBracket("x")),
        ("[::1][::2]", .unexpectedAfterBracket("[::2]")),
        ("exa mple.com", .invalidCharacter(" ")),
        ("example.com:77 79", .invalidCharacter(" ")),
        ("ws://host/a b", .invalidCharacter(" ")),
        ("exa\u{7}mple.com", .invalidCharacter("\u{7}")),
        ("host\u{0}", .invalidCharacter("\u{0}")),
        ("user@example.com", .userInfo),
        ("ws://user:pass@example.com:80/", .userInfo),
        ("example.com?x=1", .queryOrFragment),
        ("ws://example.com/chat?token=1", .queryOrFragment),
        ("ws://example.com/#top", .queryOrFragment),
        ("exa_mple.com", .invalidHostCharacter("_", host: "exa_mple.com")),
        ("bücher.de", .invalidHostCharacter("ü", host: "bücher.de")),
        ("host]", .invalidHostCharacter("]", host: "host]")),
        ("a..b", .emptyLabel(host: "a..b")),
        (".example.com", .emptyLabel(host: ".example.com")),
        ("example.com.", .emptyLabel(host: "example.com.")),
        ("-example.com", .labelHyphen("-example")),
        ("example-.com", .labelHyphen("example-")),
        (String(repeating: "a", count: 64) + ".com", .labelTooLong(String(repeating: "a", count: 64))),
        (Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."), .hostTooLong(255)),
        ("256.1.1.1", .invalidIPv4("256.1.1.1")),
        ("1.2.3", .invalidIPv4("1.2.3")),
        ("1.2.3.4.5", .invalidIPv4("1.2.3.4.5")),
        ("1234", .invalidIPv4("1234")),
        ("ws://host/a\\b", .invalidPath("/a\\b")),
        ("ws://host/%zz", .invalidPath("/%zz")),
        ("ws://host/%4", .invalidPath("/%4")),
        ("ws://host/caf\u{E9}", .invalidPath("/caf\u{E9}")),
    ])
    func rejectsBadForms(input: String, error: ServerAddressError) {
        #expect(throws: error) { try ServerAddress(parsing: input) }
    }

    @Test func longestValidHostAndLabelAreAccepted() throws {
        let label = String(repeating: "a", count: 63)
        #expect(try ServerAddress(parsing: label + ".com").host == label + ".com")
        let host = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(host.count == 253)
        #expect(try ServerAddress(parsing: host).host == host)
    }

    @Test(arguments: [
        (ServerAddressError.empty, "empty"),
        (.unsupportedScheme("http"), "use ws:// or wss://"),
        (.unsupportedScheme(""), "missing scheme"),
        (.missingPort, "give a port"),
        (.invalidPort("http"), "not a number"),
        (.portOutOfRange("0"), "out of range (1-65535)"),
        (.unbracketedIPv6(address: "::1", port: "7779"), "write [::1]:7779 for port 7779, or [::1:7779] for the address alone"),
        (.unbracketedIPv6(address: "1:2:3:4:5:6:7:8", port: "80"), "must be written in brackets: [1:2:3:4:5:6:7:8]:80"),
        (.invalidIPv6("x:y:z"), "not a valid IPv6 address"),
        (.unclosedBracket, "no closing \"]\""),
        (.invalidCharacter(" "), "contains a space"),
        (.invalidCharacter("\u{7}"), "U+0007"),
        (.userInfo, "user@"),
        (.queryOrFragment, "?query"),
        (.invalidHostCharacter("_", host: "a_b"), "contains \"_\""),
        (.hostTooLong(300), "at most 253"),
        (.invalidIPv4("1.2.3"), "not a valid IPv4 address"),
    ])
    func errorsExplainThemselves(error: ServerAddressError, phrase: String) {
        #expect(error.description.contains(phrase), "\(error.description)")
    }

    @Test func everyErrorHasADistinctDescription() {
        let errors: [ServerAddressError] = [
            .empty, .unsupportedScheme("http"), .missingHost, .missingPort, .invalidPort("x"), .portOutOfRange("0"),
            .unbracketedIPv6(address: "::1", port: "1"), .invalidIPv6("x"), .unclosedBracket, .unexpectedAfterBracket("x"),
            .invalidCharacter(" "), .userInfo, .queryOrFragment, .invalidHostCharacter("_", host: "x"), .emptyLabel(host: "x"),
            .labelTooLong("x"), .labelHyphen("x"), .hostTooLong(254), .invalidIPv4("x"), .invalidPath("x"),
        ]
        #expect(Set(errors.map(\.description)).count == errors.count)
    }
}
