import OzProtocol

/// What a session connects with; edited by `/connect`, `/nick` and the credentials prompt.
///
/// The password belongs to the servers it was given for: changing ``servers`` so that it names a server the list did
/// not (as ``OzProtocol/ServerAddress/sameServer(_:_:)`` compares them) empties `password`, so it can never travel to
/// a server it was not meant for; dropping or reordering servers keeps it. Set a password for new servers after the
/// servers, as ``applying(_:)`` does.
public struct Credentials: Sendable, Equatable {
    /// The room's servers as written, tried in turn from the first (several: nodes of one cluster); never empty.
    public var servers: [String] {
        didSet {
            let kept = servers.allSatisfy { new in oldValue.contains { ServerAddress.sameServer($0, new) } }
            if !kept { password = "" }
        }
    }
    public var token: String
    public var nickname: String
    public var avatar: String
    public var password: String
    /// Further properties to share (from `--property`).
    public var extra: JSONObject

    public init(
        servers: [String], token: String, nickname: String, avatar: String = "", password: String = "", extra: JSONObject = JSONObject()
    ) {
        precondition(!servers.isEmpty, "Credentials need at least one server")
        self.servers = servers
        self.token = token
        self.nickname = nickname
        self.avatar = avatar
        self.password = password
        self.extra = extra
    }

    /// Credentials for a room on one server.
    public init(server: String, token: String, nickname: String, avatar: String = "", password: String = "", extra: JSONObject = JSONObject()) {
        self.init(servers: [server], token: token, nickname: nickname, avatar: avatar, password: password, extra: extra)
    }

    /// The first server: the one tried first, the one the credentials prompt edits.
    public var server: String { servers[0] }

    /// The servers once the first is set to `first` (the credentials prompt's `Server` field): `first`, then the
    /// others when `first` is one of them (moved to the front), else `first` alone: these fallbacks serve this room, and
    /// a server from elsewhere would take them, the token with them, where they do not belong.
    public func servers(withFirst first: String) -> [String] {
        guard servers.contains(where: { ServerAddress.sameServer($0, first) }) else { return [first] }
        return [first] + servers.filter { !ServerAddress.sameServer($0, first) }
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
        copy.servers = arguments.servers
        copy.token = arguments.token
        if let nick = arguments.nick { copy.nickname = nick }
        if let avatar = arguments.avatar { copy.avatar = avatar }
        if let password = arguments.password { copy.password = password }
        return copy
    }
}
