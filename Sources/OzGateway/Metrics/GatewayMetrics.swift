import CoreMetrics

/// What an operator watches a gateway by (README, "Metrics"). Made from a swift-metrics factory: ozgate's Prometheus
/// registry with `--metrics-port`, otherwise a no-op one, whose calls cost next to nothing. Each gateway has its own
/// (`GatewayConfiguration.metrics`), so gateways in one process (the tests) do not count into each other.
public final class GatewayMetrics: Sendable {
    /// Open WebSocket connections, logged in or not.
    public let connections: Meter
    /// Rooms this gateway serves (its lines).
    public let rooms: Meter
    /// Members granted on this gateway, over all rooms.
    public let members: Meter
    /// Chat messages accepted from clients (room and private).
    public let messagesIn: Counter
    /// Chat message frames handed to members (one per recipient, echoes included).
    public let messagesOut: Counter
    /// Presence changes (ONLINE and OFFLINE) in this gateway's rooms, whichever node caused them.
    public let presenceEvents: Counter
    /// Members closed as `slow`: they could not keep up with their room.
    public let slowConsumerCloses: Counter
    /// Chat messages refused for their rate (`RATE_LIMITED`).
    public let messageRateRefusals: Counter
    /// Connections refused by a per-IP limit (too many at once, or too fast).
    public let connectionRefusals: Counter
    /// How long one batch took to reach the store (SQLite, or a cluster's PostgreSQL transaction).
    public let storeWrite: Timer
    /// Cluster only: from the transaction of an event another node wrote to its delivery here.
    public let notifyLag: Timer
    /// Cluster only: the reaper's looks for dead nodes.
    public let reaperRuns: Counter
    /// Cluster only: dead nodes reaped (their members announced OFFLINE) by this node.
    public let reapedNodes: Counter

    /// Metrics made by `factory`; the default counts nothing.
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        connections = Meter(label: "ozgate_connections", factory: factory)
        rooms = Meter(label: "ozgate_rooms", factory: factory)
        members = Meter(label: "ozgate_members", factory: factory)
        messagesIn = Counter(label: "ozgate_messages_received_total", factory: factory)
        messagesOut = Counter(label: "ozgate_messages_delivered_total", factory: factory)
        presenceEvents = Counter(label: "ozgate_presence_events_total", factory: factory)
        slowConsumerCloses = Counter(label: "ozgate_slow_consumer_closes_total", factory: factory)
        messageRateRefusals = Counter(label: "ozgate_rate_limit_refusals_total", dimensions: [("limit", "message_rate")], factory: factory)
        connectionRefusals = Counter(label: "ozgate_rate_limit_refusals_total", dimensions: [("limit", "per_ip")], factory: factory)
        storeWrite = Timer(label: "ozgate_store_write_seconds", factory: factory)
        notifyLag = Timer(label: "ozgate_cluster_notify_lag_seconds", factory: factory)
        reaperRuns = Counter(label: "ozgate_cluster_reaper_runs_total", factory: factory)
        reapedNodes = Counter(label: "ozgate_cluster_reaped_nodes_total", factory: factory)
    }
}

extension CoreMetrics.Timer {
    /// Records a `Duration` (swift-metrics takes nanoseconds).
    package func record(elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
