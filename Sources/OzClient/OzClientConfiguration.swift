import OzProtocol

/// How an `OzClient` behaves; every field has the protocol's default.
public struct OzClientConfiguration: Sendable {
    /// The client pings the gateway this often; a ping unanswered by the next one closes the socket as lost.
    public var pingInterval: Duration
    /// How long opening the socket (TCP connect, TLS handshake, WebSocket upgrade) may take before the attempt counts
    /// as failed: a server that accepts the connection and then closes it, or never answers, cannot stall the client.
    public var openTimeout: Duration
    /// How long to wait for the gateway's answer to `connect` before treating the attempt as failed.
    public var answerTimeout: Duration
    /// Backoff and backoff reset.
    public var machine: ConnectionStateMachine.Configuration
    /// Draws the backoff jitter from a range (inject a fixed one in tests).
    public var sample: @Sendable (ClosedRange<Double>) -> Double
    /// The CAs a `wss://` connection trusts (the system's store by default); verification itself is always on.
    public var trust: ClientTrust
    /// How many of a room's newest stored messages to ask for on joining it (0–500, OzWire v1.1; 0 asks for none).
    /// A reconnect to the same room asks instead for what was said since the last message seen.
    public var history: Int

    /// The history a join asks for when none is configured.
    public static let defaultHistory = 200

    public init(
        pingInterval: Duration = .seconds(20),
        openTimeout: Duration = .seconds(10),
        answerTimeout: Duration = .seconds(10),
        machine: ConnectionStateMachine.Configuration = .init(),
        sample: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
        trust: ClientTrust = .system,
        history: Int = OzClientConfiguration.defaultHistory
    ) {
        self.pingInterval = pingInterval
        self.openTimeout = openTimeout
        self.answerTimeout = answerTimeout
        self.machine = machine
        self.sample = sample
        self.trust = trust
        self.history = history
    }
}
