import Foundation

/// One line of the log pane, before wrapping. Every string in it is already sanitised.
public struct LogEntry: Sendable, Equatable {
    /// What the line is, which decides its marker and colours.
    public enum Kind: Sendable, Equatable {
        /// A chat message; `colorKey` picks the nickname's colour (a stable hash of the sender's number).
        case message(nick: String, colorKey: String, isPrivate: Bool, privateTarget: String?, isOwn: Bool)
        /// Someone came or went: the nickname and number.
        case join(nick: String, number: String)
        case leave(nick: String, number: String)
        /// A connection state change, with its wire word (for colour).
        case state(wireName: String)
        /// Local information (help, whois, hints).
        case info
        /// An error from the gateway or a refused command.
        case error
    }

    public var date: Date
    public var kind: Kind
    public var text: String

    public init(date: Date, kind: Kind, text: String) {
        self.date = date
        self.kind = kind
        self.text = text
    }
}

/// The scrollback: the newest `capacity` entries.
public struct LogBuffer: Sendable, Equatable {
    public private(set) var entries: [LogEntry] = []
    /// Entries dropped from the front since the start (so indices stay meaningful to a viewer).
    public private(set) var dropped = 0
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public mutating func append(_ entry: LogEntry) {
        entries.append(entry)
        if entries.count > capacity + capacity / 4 {
            let excess = entries.count - capacity
            entries.removeFirst(excess)
            dropped += excess
        }
    }

    public mutating func removeAll() {
        dropped += entries.count
        entries.removeAll()
    }

    public var count: Int { entries.count }
}
