import OzClient
import OzProtocol

/// What ozchat connects with: the server, the token and the properties it shares (the password never leaves in them
/// except as `Password`, which the gateway strips before anyone else sees it).
struct Credentials: Sendable {
    var server: String
    var token: String
    var nick: String
    var avatar: String?
    var password: String?
    /// Further `--property KEY=VALUE` pairs.
    var extra: JSONObject

    /// The `properties` object for `connect`.
    var properties: JSONObject {
        var properties = JSONObject()
        properties["Nickname"] = .string(nick)
        if let avatar, !avatar.isEmpty { properties["Avatar"] = .string(avatar) }
        for (key, value) in extra.members { properties[key] = value }
        if let password, !password.isEmpty { properties["Password"] = .string(password) }
        return properties
    }

    /// These credentials with whatever `/connect` changed.
    func applying(_ arguments: ConnectArguments) -> Credentials {
        var copy = self
        copy.server = arguments.server
        copy.token = arguments.token
        if let nick = arguments.nick { copy.nick = nick }
        if let avatar = arguments.avatar { copy.avatar = avatar }
        if let password = arguments.password { copy.password = password }
        return copy
    }
}
