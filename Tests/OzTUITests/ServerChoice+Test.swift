import OzProtocol

extension ServerChoice {
    /// The one server of the rooms these tests connect to (their credentials' `ws://127.0.0.1:7779/`).
    static let loopback = ServerChoice(address: try! ServerAddress(parsing: "ws://127.0.0.1:7779/"))
}
