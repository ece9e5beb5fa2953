import NIOSSL
import OzProtocol

/// How an `OzClient` behaves; every field has the protocol's default.
public struct OzClientConfiguration: Sendable {
    /// The client pings the gateway this often; a ping unanswered by the next one closes the socket as lost.
    public var pingInterval: Duration
    /// How long to wait for the gateway's answer to `connect` before treating the attempt as failed.
    public var answerTimeout: Duration
    /// Backoff and backoff reset.
    public var machine: ConnectionStateMachine.Configuration
    /// Draws the backoff jitter from a range (inject a fixed one in tests).
    public var sample: @Sendable (ClosedRange<Double>) -> Double
    /// TLS settings for wss:// (nil: the system's trust store).
    public var tlsConfiguration: TLSConfiguration?

    public init(
        pingInterval: Duration = .seconds(20),
        answerTimeout: Duration = .seconds(10),
        machine: ConnectionStateMachine.Configuration = .init(),
        sample: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
        tlsConfiguration: TLSConfiguration? = nil
    ) {
        self.pingInterval = pingInterval
        self.answerTimeout = answerTimeout
        self.machine = machine
        self.sample = sample
        self.tlsConfiguration = tlsConfiguration
    }
}
