import Logging

/// Opens the store a gateway's settings name.
public enum HistoryStores {
    /// The history for `settings`, or nil when its retention keeps none. A store named nowhere is kept in memory, said
    /// in one log line (so tests running many gateways never share a file). Throws when the store cannot be opened.
    public static func open(
        settings: HistorySettings, rooms: [String], metrics: GatewayMetrics = GatewayMetrics(), logger: Logger
    ) throws -> GatewayHistory? {
        let retention = settings.retention
        guard retention.keepsHistory else {
            logger.notice("history off", metadata: ["messages_per_room": "\(retention.messagesPerRoom)", "max_age_days": "\(retention.maxAgeDays)"])
            return nil
        }
        let store: any MessageStore
        switch settings.store {
        case nil:
            logger.notice("history kept in memory: no store named (add store = \"sqlite:PATH\" to [history] to keep it across restarts)")
            store = MemoryMessageStore()
        case .memory:
            store = MemoryMessageStore()
        case .sqlite(let path):
            store = try SQLiteMessageStore(path: path)
        }
        do {
            let history = try GatewayHistory(store: store, rooms: rooms, retention: retention, metrics: metrics, logger: logger)
            logger.info(
                "history",
                metadata: ["store": "\(store.name)", "messages_per_room": "\(retention.messagesPerRoom)", "max_age_days": "\(retention.maxAgeDays)"])
            return history
        } catch {
            store.close()
            throw error
        }
    }
}
