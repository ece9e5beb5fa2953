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
