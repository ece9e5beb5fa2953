import OzProtocol

/// What a session connects with; edited by `/connect`, `/nick` and the credentials prompt.
///
/// The password belongs to the server it was given for: changing `server` to another server (as
/// ``OzProtocol/ServerAddress/sameServer(_:_:)`` compares them) empties `password`, so it can never travel to a
/// server it was not meant for. Set a password for the new server after the server, as ``applying(_:)`` does.
public struct Credentials: Sendable, Equatable {
    public var server: String {
        didSet {
            if !ServerAddress.sameServer(oldValue, server) { password = "" }
        }
    }
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

    /// These credentials with what a `/connect` line changed. Another server drops the password unless the line gives
    /// one (`--password`).
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
