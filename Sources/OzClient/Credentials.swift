import OzProtocol

/// What the UI connects with; edited by `/connect`, `/nick` and the credentials prompt.
public struct Credentials: Sendable, Equatable {
    public var server: String
    public var token: String
    public var nickname: String
    public var avatar: String
    public var password: String
    /// Further properties to share (from `--property`).
    public var extra: JSONObject

    public init(server: String, token: String, nickname: String, avatar: String = "", password: String = "", extra: JSONObject = JSONObject()) {
        self.server = server
        self.token = token
        self.nickname = nickname
        self.avatar = avatar
        self.password = password
        self.extra = extra
    }

    /// The `properties` object for `connect`: Nickname, Avatar, the extras, and Password (stripped by the gateway).
    public var properties: JSONObject {
        var properties = JSONObject()
        properties["Nickname"] = .string(nickname)
        if !avatar.isEmpty { properties["Avatar"] = .string(avatar) }
        for (key, value) in extra.members { properties[key] = value }
        if !password.isEmpty { properties["Password"] = .string(password) }
        return properties
    }

    /// These credentials with what a `/connect` line changed.
    public func applying(_ arguments: ConnectArguments) -> Credentials {
        var copy = self
        copy.server = arguments.server
        copy.token = arguments.token
        if let nick = arguments.nick { copy.nickname = nick }
        if let avatar = arguments.avatar { copy.avatar = avatar }
        if let password = arguments.password { copy.password = password }
        return copy
    }
}
