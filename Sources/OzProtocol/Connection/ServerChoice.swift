/// Which of a room's servers a connection attempt goes to: the address and its place in the list, so a UI can say
/// `connecting to 127.0.0.1:7781 (2 of 3)`.
public struct ServerChoice: Sendable, Hashable, CustomStringConvertible {
    /// The server tried.
    public var address: ServerAddress
    /// Its place in the room's list, from 0.
    public var index: Int
    /// How many servers the room has (at least 1).
    public var count: Int

    public init(address: ServerAddress, index: Int = 0, count: Int = 1) {
        self.address = address
        self.index = index
        self.count = count
    }

    /// `127.0.0.1:7781 (2 of 3)`, or the address alone when the room has one server.
    public var description: String {
        count > 1 ? "\(address.shortText) (\(index + 1) of \(count))" : address.shortText
    }
}
