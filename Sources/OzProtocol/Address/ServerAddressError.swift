/// Why a server address was rejected; each case names one mistake and its `description` says how to fix it.
public enum ServerAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but white space was given.
    case empty
    /// A `SCHEME://` other than `ws://` or `wss://` (the scheme as written; empty for a bare `://`).
    case unsupportedScheme(String)
    /// No host before the port or path (`:7779`, `ws://`, `ws:///chat`, `[]`).
    case missingHost
    /// A colon with nothing after it (`example.com:`).
    case missingPort
    /// A port that is not a decimal number (`example.com:http`, `example.com:-1`).
    case invalidPort(String)
    /// A decimal port outside 1…65535.
    case portOutOfRange(String)
    /// An IPv6 address followed by what looks like a port, without brackets (`::1:7779`): write `[::1]:7779`.
    case unbracketedIPv6(address: String, port: String)
    /// Text with two or more colons that is not an IPv6 address, or brackets around something that is not one.
    case invalidIPv6(String)
    /// A `[` with no matching `]`.
    case unclosedBracket
    /// Something other than `:PORT` or a path after `]` (`[::1]x`).
    case unexpectedAfterBracket(String)
    /// White space or a control character inside the address.
    case invalidCharacter(Unicode.Scalar)
    /// A `user@` part: the protocol passes credentials in `connect`, never in the address.
    case userInfo
    /// A `?query` or `#fragment`, which the protocol does not use.
    case queryOrFragment
    /// A host name character other than a letter, digit, hyphen or dot (non-ASCII names must be given in punycode).
    case invalidHostCharacter(Unicode.Scalar, host: String)
    /// A host name with an empty label (`a..b`, `.a`, `a.`).
    case emptyLabel(host: String)
    /// A host name label longer than 63 characters.
    case labelTooLong(String)
    /// A host name label that starts or ends with a hyphen.
    case labelHyphen(String)
    /// A host name longer than 253 characters (the count is given).
    case hostTooLong(Int)
    /// Digits and dots that do not form an IPv4 address `A.B.C.D` with each part 0…255.
    case invalidIPv4(String)
    /// A path with a character a URL path may not hold, or a `%` not followed by two hex digits.
    case invalidPath(String)

    public var description: String {
        switch self {
        case .empty:
            "the server address is empty"
        case .unsupportedScheme(let scheme) where scheme.isEmpty:
            "missing scheme before \"://\": use ws:// or wss://"
        case .unsupportedScheme(let scheme):
            "unsupported scheme \"\(scheme)://\": use ws:// or wss://"
        case .missingHost:
            "the server address has no host"
        case .missingPort:
            "nothing after the colon: give a port (1-65535) or leave the colon out for port \(WireLimits.defaultPort)"
        case .invalidPort(let port):
            "the port \"\(port)\" is not a number"
        case .portOutOfRange(let port):
            "the port \(port) is out of range (1-65535)"
        case .unbracketedIPv6(let address, let port):
            if IPv6Syntax.isValid("\(address):\(port)"[...]) {
                "\"\(address):\(port)\" is ambiguous: write [\(address)]:\(port) for port \(port), or [\(address):\(port)] for the address alone"
            } else {
                "an IPv6 address with a port must be written in brackets: [\(address)]:\(port)"
            }
        case .invalidIPv6(let text):
            "\"\(text)\" is not a valid IPv6 address (an IPv6 address is written in brackets, like [::1]:\(WireLimits.defaultPort))"
        case .unclosedBracket:
            "the \"[\" of an IPv6 address has no closing \"]\""
        case .unexpectedAfterBracket(let rest):
            "unexpected \"\(rest)\" after \"]\": only :PORT or a /path may follow an IPv6 address"
        case .invalidCharacter(let scalar):
            "the server address contains \(Self.name(of: scalar)), which is not allowed"
        case .userInfo:
            "the server address may not contain \"user@\": give the token and password separately"
        case .queryOrFragment:
            "the server address may not contain a \"?query\" or \"#fragment\""
        case .invalidHostCharacter(let scalar, let host):
            "the host \"\(host)\" contains \(Self.name(of: scalar)): use letters, digits, hyphens and dots (punycode for other scripts)"
        case .emptyLabel(let host):
            "the host \"\(host)\" has an empty part between dots"
        case .labelTooLong(let label):
            "the host name part \"\(label)\" is longer than 63 characters"
        case .labelHyphen(let label):
            "the host name part \"\(label)\" may not start or end with a hyphen"
        case .hostTooLong(let length):
            "the host name is \(length) characters long; at most 253 are allowed"
        case .invalidIPv4(let text):
            "\"\(text)\" is not a valid IPv4 address (four numbers 0-255 separated by dots)"
        case .invalidPath(let path):
            "the path \"\(path)\" contains a character that is not allowed in a URL path"
        }
    }

    /// A readable name for a character: `a space`, `a tab`, `U+0007`, or the quoted character.
    private static func name(of scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": "a space"
        case "\t": "a tab"
        case "\n", "\r": "a line break"
        default:
            if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace {
                "the character U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))"
            } else {
                "\"\(scalar)\""
            }
        }
    }
}

extension String {
    /// The string padded on the left with zeros to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
