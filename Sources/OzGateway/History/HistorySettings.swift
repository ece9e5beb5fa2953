/// Where a gateway keeps its history: `memory`, or `sqlite:PATH` (a file). From `--store` or `[history] store`.
public enum HistoryStoreLocation: Sendable, Equatable, CustomStringConvertible {
    case memory
    case sqlite(path: String)

    /// Parses `memory` or `sqlite:PATH`.
    public init(_ text: String) throws(MessageStoreError) {
        if text == "memory" {
            self = .memory
        } else if text.hasPrefix("sqlite:"), text.count > "sqlite:".count {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            throw MessageStoreError("\"\(text)\" is not a store; use memory or sqlite:PATH")
        }
    }

    public var description: String {
        switch self {
        case .memory: "memory"
        case .sqlite(let path): "sqlite:\(path)"
        }
    }
}

/// The `[history]` table: the store (nil when the file names none) and the retention.
public struct HistorySettings: Sendable, Equatable {
    public var store: HistoryStoreLocation?
    public var retention: HistoryRetention

    public init(store: HistoryStoreLocation? = nil, retention: HistoryRetention = .standard) {
        self.store = store
        self.retention = retention
    }
}

/// How much history each room keeps. 0 for either turns storage off (no `"history": true` in grants).
public struct HistoryRetention: Sendable, Equatable {
    /// Newest messages kept per room (default 10,000).
    public var messagesPerRoom: Int
    /// Messages older than this many days are pruned (default 30).
    public var maxAgeDays: Int

    public static let standard = HistoryRetention(messagesPerRoom: 10_000, maxAgeDays: 30)

    public init(messagesPerRoom: Int, maxAgeDays: Int) {
        self.messagesPerRoom = messagesPerRoom
        self.maxAgeDays = maxAgeDays
    }

    /// Whether messages are stored at all.
    public var keepsHistory: Bool { messagesPerRoom > 0 && maxAgeDays > 0 }
}
