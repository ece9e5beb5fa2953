extension ServerAddress {
    /// Whether two addresses as a user typed them name the same server: equal once parsed, so `localhost`,
    /// `LocalHost:7779` and `ws://localhost:7779/` are one server, while another host, port, path or scheme
    /// (`wss://` against `ws://`) is another. No name resolution: `localhost` and `127.0.0.1` are different servers.
    /// Text that does not parse names only itself.
    public static func sameServer(_ first: String, _ second: String) -> Bool {
        switch (try? ServerAddress(parsing: first), try? ServerAddress(parsing: second)) {
        case (let a?, let b?): a == b
        case (nil, nil): first == second
        default: false
        }
    }
}
