import NIOCore

/// Everything a gateway needs to run. Every field has the documented default, so tests override only what they exercise.
public struct GatewayConfiguration: Sendable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks a free port (read it back from `Gateway.port`).
    public var port: Int
    /// The lines and extensions that may log in.
    public var directory: AccessDirectory
    /// The gateway pings every member this often.
    public var pingInterval: TimeAmount
    /// A connection that has sent nothing (not even a pong) for this long is closed, reason `idle`.
    public var pingTimeout: TimeAmount
    /// A connection must send `connect` within this long of the WebSocket opening (and finish the HTTP upgrade within it too).
    public var handshakeTimeout: TimeAmount
    /// Largest WebSocket message a client may send (PROTOCOL.md: 64 KiB); larger closes with 1009.
    public var maxClientMessageBytes: Int
    /// Bytes queued for one member before it is closed as `slow`. A newcomer's snapshot (up to 16 MiB) is not counted
    /// while it is being written (see `ConnectionHandler.enqueueSnapshot`).
    public var maxOutboundBytes: Int
    /// More than this many bad frames within `badFrameWindow` closes the connection with 1008.
    public var badFrameLimit: Int
    /// The window for `badFrameLimit`.
    public var badFrameWindow: TimeAmount
    /// How long a closing connection may take to flush its last frames and answer our close frame.
    public var closeGrace: TimeAmount
    /// Presence changes within this long go out as one `clientStateChanged` frame (a message flushes them first).
    public var presenceWindow: TimeAmount
    /// Rate, count and size limits against abuse.
    public var limits: GatewayLimits
    /// Threads for network IO; defaults to one per core.
    public var threads: Int
    /// With a certificate and key, the gateway serves `wss://` only (on the same port); nil serves plain `ws://`.
    public var tls: GatewayTLS?
    /// Where room messages are kept (OzWire v1.1); nil keeps none. The gateway closes it at shutdown.
    public var history: GatewayHistory?
    /// Builds the rooms when they live elsewhere (a cluster node, OzCluster); nil: this process keeps them.
    package var roomProvider: (any RoomProvider)?
    /// OzWebClient.js and the web chatroom, served over plain HTTP on the gateway's port; nil serves neither (every plain
    /// HTTP request is answered `426 Upgrade Required`).
    public var web: GatewayWeb?
    /// What the gateway counts for its operators (no-op unless made from a real factory, e.g. ozgate's `--metrics-port`).
    public var metrics = GatewayMetrics()

    public init(
        host: String = "127.0.0.1",
        port: Int = 7779,
        directory: AccessDirectory,
        pingInterval: TimeAmount = .seconds(20),
        pingTimeout: TimeAmount = .seconds(60),
        handshakeTimeout: TimeAmount = .seconds(10),
        maxClientMessageBytes: Int = 64 * 1024,
        maxOutboundBytes: Int = 8 * 1024 * 1024,
        badFrameLimit: Int = 20,
        badFrameWindow: TimeAmount = .seconds(60),
        closeGrace: TimeAmount = .seconds(2),
        presenceWindow: TimeAmount = .milliseconds(20),
        limits: GatewayLimits = .standard,
        threads: Int = System.coreCount,
        tls: GatewayTLS? = nil,
        history: GatewayHistory? = nil,
        web: GatewayWeb? = nil
    ) {
        self.web = web
        self.history = history
        self.host = host
        self.port = port
        self.directory = directory
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.handshakeTimeout = handshakeTimeout
        self.maxClientMessageBytes = maxClientMessageBytes
        self.maxOutboundBytes = maxOutboundBytes
        self.badFrameLimit = badFrameLimit
        self.badFrameWindow = badFrameWindow
        self.closeGrace = closeGrace
        self.presenceWindow = presenceWindow
        self.limits = limits
        self.threads = threads
        self.tls = tls
    }
}
