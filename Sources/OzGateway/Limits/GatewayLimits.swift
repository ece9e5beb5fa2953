import OzProtocol

/// The gateway's abuse limits. Each is configurable (`[limits]` in the config file; `ozgate --no-limits` turns the
/// rate and count limits off for load tests) and each writes a log line when it bites. 0 means unlimited.
/// (The handshake deadline, also in `[limits]`, is `GatewayConfiguration.handshakeTimeout`.)
public struct GatewayLimits: Sendable, Equatable {
    /// Chat messages one connection may send per second, sustained; over it, each message is refused with
    /// `RATE_LIMITED` (and counts toward the bad-frame budget, so a client that keeps going is closed with 1008).
    public var messageRate: Int
    /// Messages a connection may send at once before `messageRate` applies.
    public var messageBurst: Int
    /// Open connections from one IP address; more are answered `503` and closed before the WebSocket upgrade.
    public var connectionsPerIP: Int
    /// New connections one IP address may open per second, sustained, and at once.
    public var connectRatePerIP: Int
    public var connectBurstPerIP: Int
    /// Largest `properties` object, serialized; at most PROTOCOL.md's 4 KiB.
    public var maxPropertiesBytes: Int
    /// Members one room holds; a `connect` into a full room is `ACCESS_DENIED`.
    public var maxMembersPerRoom: Int
    /// Largest `ACCESS_GRANTED` snapshot, serialized: a room is also full once its member list would make a bigger one
    /// (with 4 KiB properties that happens after about 4,000 members). Never above `WireLimits.maxServerMessageBytes`,
    /// the largest message a client accepts; lower it only to make rooms smaller by bytes (tests do, to be quick).
    public var maxSnapshotBytes: Int
    /// Extension logins whose password check (scrypt, slow by design) may be queued or running at once; past it a login
    /// is `ACCESS_DENIED` ("server busy"), so a flood of them costs bounded work. Never unlimited.
    public var maxPendingPasswordChecks: Int
    /// Whether the per-IP limits also apply to loopback addresses. Off by default: behind a TLS proxy on the same
    /// host every client is 127.0.0.1, and a local ozchat's embedded gateway only ever sees loopback.
    public var perIPLimitsOnLoopback: Bool

    public init(
        messageRate: Int = 30,
        messageBurst: Int = 100,
        connectionsPerIP: Int = 100,
        connectRatePerIP: Int = 20,
        connectBurstPerIP: Int = 50,
        maxPropertiesBytes: Int = 4096,
        maxMembersPerRoom: Int = 20_000,
        maxSnapshotBytes: Int = WireLimits.maxServerMessageBytes,
        maxPendingPasswordChecks: Int = 32,
        perIPLimitsOnLoopback: Bool = false
    ) {
        self.messageRate = messageRate
        self.messageBurst = messageBurst
        self.connectionsPerIP = connectionsPerIP
        self.connectRatePerIP = connectRatePerIP
        self.connectBurstPerIP = connectBurstPerIP
        self.maxPropertiesBytes = maxPropertiesBytes
        self.maxMembersPerRoom = maxMembersPerRoom
        self.maxSnapshotBytes = maxSnapshotBytes
        self.maxPendingPasswordChecks = maxPendingPasswordChecks
        self.perIPLimitsOnLoopback = perIPLimitsOnLoopback
    }

    /// The defaults (see each field).
    public static let standard = GatewayLimits()

    /// No rate or count limits (for load tests on loopback); the properties and snapshot sizes and the password-check
    /// queue stay.
    public static let unlimited = GatewayLimits(
        messageRate: 0, messageBurst: 1, connectionsPerIP: 0, connectRatePerIP: 0, connectBurstPerIP: 1, maxMembersPerRoom: 0)
}
