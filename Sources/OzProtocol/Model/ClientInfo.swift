/// Whether a client is in the room (`ONLINE`) or has just left it (`OFFLINE`).
public enum PresenceStatus: String, Sendable, Hashable, CaseIterable {
    case online = "ONLINE"
    case offline = "OFFLINE"
}

/// One client as the gateway describes it: its number, presence and the properties it connected with.
/// Every string in `properties` comes from a peer and is untrusted.
public struct ClientInfo: Sendable, Hashable {
    /// The gateway's id for that connection (`Qdb3W`, or an extension number such as `1500`).
    public var phoneNumber: String
    public var status: PresenceStatus
    /// The object the client passed to `connect`, minus any key equal to `password` ignoring case.
    public var properties: JSONObject

    public init(phoneNumber: String, status: PresenceStatus, properties: JSONObject = JSONObject()) {
        self.phoneNumber = phoneNumber
        self.status = status
        self.properties = properties
    }

    /// The `Nickname` property when it is a non-empty string.
    public var nickname: String? {
        guard let nick = properties["Nickname"]?.stringValue, !nick.isEmpty else { return nil }
        return nick
    }

    /// The `Avatar` property (a URL) when it is a non-empty string.
    public var avatar: String? {
        guard let avatar = properties["Avatar"]?.stringValue, !avatar.isEmpty else { return nil }
        return avatar
    }

    /// What to call this client: its nickname, else its number.
    public var displayName: String { nickname ?? phoneNumber }
}

extension ClientInfo {
    /// The wire form: `{"phoneNumber":…,"status":…,"properties":{…}}`.
    public var json: JSONValue {
        .object(["phoneNumber": .string(phoneNumber), "status": .string(status.rawValue), "properties": .object(properties)])
    }

    /// Decodes the wire form; `properties` may be absent (treated as empty).
    public init(json: JSONValue) throws(FrameError) {
        let fields = try FrameFields(json, context: "ClientInfo")
        phoneNumber = try fields.string("phoneNumber")
        let statusText = try fields.string("status")
        guard let status = PresenceStatus(rawValue: statusText) else { throw FrameError(.badFrame, "unknown status \"\(statusText)\"") }
        self.status = status
        properties = try fields.optionalObject("properties") ?? JSONObject()
    }
}

extension JSONObject {
    /// A copy without any key equal to `password` ignoring case, as the gateway relays properties.
    public var withoutPasswords: JSONObject {
        var copy = self
        copy.removeAll { $0.lowercased() == "password" }
        return copy
    }

    /// The first string value whose key equals `password` ignoring case.
    public var password: String? {
        members.first { $0.key.lowercased() == "password" }?.value.stringValue
    }
}
