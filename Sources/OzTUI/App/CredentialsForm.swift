import Foundation
import OzClient
import OzProtocol

/// The credentials prompt: a form with Server, Token, Nickname, Avatar and Password (masked), each edited with the same
/// line editor as the input line. Tab/Down moves to the next field, Shift-Tab/Up to the previous, Enter connects,
/// Esc cancels. Password shows (and sends) the current password only while Server names one of the room's servers.
///
/// A room with several servers: Server edits the first. While it names one of the room's servers the others are kept
/// (it moves to the front); another server replaces them all. ``serversNote`` says which, under the fields.
public struct CredentialsForm: Sendable, Equatable {
    /// The form's fields, in Tab order.
    public enum Field: Int, Sendable, CaseIterable {
        case server, token, nickname, avatar, password

        public var label: String {
            switch self {
            case .server: "Server"
            case .token: "Token"
            case .nickname: "Nickname"
            case .avatar: "Avatar"
            case .password: "Password"
            }
        }

        /// Whether the field's text is shown as `*`.
        public var isMasked: Bool { self == .password }
    }

    /// What the form ended with, if it ended.
    public enum Outcome: Sendable, Equatable {
        case editing
        case submit(Credentials)
        case cancel
    }

    public var editors: [LineEditor]
    public var focus: Field
    /// A line shown above the fields (e.g. why access was denied).
    public var message: String
    /// Problem with the last submit (e.g. an empty token).
    public var error: String?
    private let base: Credentials
    /// What the form itself last put in the Password field: the password given for the base server, or nothing once
    /// Server names another one. A field holding anything else was typed by the user and is theirs to keep.
    private var offeredPassword: String

    public init(credentials: Credentials, focus: Field = .server, message: String = "Connect with new credentials") {
        base = credentials
        editors = [
            LineEditor(text: credentials.server), LineEditor(text: credentials.token), LineEditor(text: credentials.nickname),
            LineEditor(text: credentials.avatar), LineEditor(text: credentials.password),
        ]
        self.focus = focus
        self.message = message
        offeredPassword = credentials.password
    }

    public func text(_ field: Field) -> String { editors[field.rawValue].text }

    /// Handles a key; returns what the form ended with.
    public mutating func handle(_ key: Key) -> Outcome {
        let server = text(.server)
        defer { if text(.server) != server { offerPassword() } }
        switch key {
        case .escape:
            return .cancel
        case .tab, .down:
            focus = Field(rawValue: (focus.rawValue + 1) % Field.allCases.count)!
        case .backTab, .up:
            focus = Field(rawValue: (focus.rawValue + Field.allCases.count - 1) % Field.allCases.count)!
        case .enter:
            var credentials = base
            credentials.servers = base.servers(withFirst: text(.server).trimmingCharacters(in: .whitespaces))
            credentials.token = text(.token)
            credentials.nickname = text(.nickname).trimmingCharacters(in: .whitespaces)
            credentials.avatar = text(.avatar).trimmingCharacters(in: .whitespaces)
            credentials.password = text(.password)
            if credentials.server.isEmpty {
                error = "Server is empty"
                focus = .server
            } else if credentials.token.isEmpty {
                error = "Token is empty"
                focus = .token
            } else {
                return .submit(credentials)
            }
        default:
            editors[focus.rawValue].handle(key)
        }
        return .editing
    }

    /// What becomes of the room's other servers, for a room with several: kept (`then b:7779, c:7779`) while Server
    /// names one of its servers, else dropped (`instead of a:7779, b:7779`). Nil for a room with one server.
    public var serversNote: String? {
        guard base.servers.count > 1 else { return nil }
        let servers = base.servers(withFirst: text(.server).trimmingCharacters(in: .whitespaces))
        if servers.count > 1 { return "then " + servers.dropFirst().joined(separator: ", ") }
        return "instead of " + base.servers.joined(separator: ", ")
    }

    /// A password goes only to the servers it was given for: while Server names none of the servers the form opened
    /// with, the Password field shows empty (and connects without one) unless the user types a password.
    private mutating func offerPassword() {
        guard text(.password) == offeredPassword else { return }
        let typed = text(.server).trimmingCharacters(in: .whitespaces)
        let sameServer = base.servers.contains { ServerAddress.sameServer($0, typed) }
        offeredPassword = sameServer ? base.password : ""
        editors[Field.password.rawValue].set(offeredPassword)
    }
}
