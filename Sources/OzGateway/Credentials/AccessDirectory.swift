import Foundation
import OzProtocol

/// A line (room) that admits any number of clients holding its token.
public struct LineCredential: Sendable {
    public var name: String
    public var tokenHash: SecretHash
    /// After this instant the token no longer admits anyone.
    public var expires: Date?

    public init(name: String, tokenHash: SecretHash, expires: Date? = nil) {
        self.name = name
        self.tokenHash = tokenHash
        self.expires = expires
    }
}

/// An extension: one client logs in as `number` with its password, into line `lineName`.
public struct ExtensionCredential: Sendable {
    public var number: String
    public var passwordHash: SecretHash
    public var lineName: String

    public init(number: String, passwordHash: SecretHash, lineName: String) {
        self.number = number
        self.passwordHash = passwordHash
        self.lineName = lineName
    }
}

/// The outcome of checking a `connect` frame's credentials.
public enum AccessDecision: Sendable, Equatable {
    /// Admit to `line`; `number` is the extension number, or nil for a line token (a fresh number is drawn).
    case granted(line: String, number: String?)
    case denied(reason: String)
}

/// Every line and extension the gateway knows, holding only hashes.
public struct AccessDirectory: Sendable {
    public private(set) var lines: [LineCredential]
    public private(set) var extensions: [String: ExtensionCredential]

    public init(lines: [LineCredential], extensions: [ExtensionCredential]) {
        self.lines = lines
        self.extensions = Dictionary(extensions.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether this token names an extension, whose check needs the (slow) password hash.
    public func isExtension(_ token: String) -> Bool { extensions[token] != nil }

    /// Checks a token (and, for an extension, the password from the properties).
    /// Every line's hash is compared so the time taken does not reveal which line nearly matched.
    public func decide(token: String, password: String?, now: Date = Date()) -> AccessDecision {
        if let ext = extensions[token] {
            guard let password else { return .denied(reason: "extension \(ext.number) needs properties.Password") }
            guard ext.passwordHash.verify(password) else { return .denied(reason: "wrong password for extension \(ext.number)") }
            return .granted(line: ext.lineName, number: ext.number)
        }
        var match: LineCredential?
        for line in lines where line.tokenHash.verify(token) && match == nil {
            match = line
        }
        guard let line = match else { return .denied(reason: "unknown token") }
        if let expires = line.expires, expires <= now {
            return .denied(reason: "token expired at \(WireTimestamp.string(from: expires))")
        }
        return .granted(line: line.name, number: nil)
    }
}
