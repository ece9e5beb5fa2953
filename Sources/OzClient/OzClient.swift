import Logging
import OzProtocol

/// The client session, shaped like Ozeki's OzWebClient: `connect(serverAddress, token, properties)`, `disconnect()`,
/// `send(text, to:)`, and one stream of `events`. The reconnect policy is OzProtocol's pure `ConnectionStateMachine`;
/// this actor only carries out its actions (sockets, timers) and keeps who is online, so that after a reconnect only real
/// differences are reported.
public actor OzClient {
    /// Every event, in order (unless an `eventSink` takes them). There is one stream per client; it ends after
    /// `shutdown()`.
    public nonisolated let events: AsyncStream<OzClientEvent>
    private let continuation: AsyncStream<OzClientEvent>.Continuation
    private let sink: (@Sendable (OzClientEvent) -> Void)?
    let configuration: OzClientConfiguration
    let logger: Logger
    var machine: ConnectionStateMachine
    /// The peers as last reported (ourselves excluded), by phone number. The session keeps no display order: that is
    /// the user interface's (a ``Roster`` built from the events), and a flood of joins costs one hash lookup each.
    public internal(set) var peers = RosterMembership()
    /// The peers as last reported, in display order: built on each call, O(n log n).
    public var roster: Roster { Roster(peers) }
    /// Our number in the current session, nil when not granted.
    public internal(set) var phoneNumber: String?
    /// The current state (nil before the first connect).
    public var state: ConnectionState? { machine.state }
    var sockets: [ConnectionStateMachine.Token: ClientSocket] = [:]
    var retryTimer: Task<Void, Never>?

    /// With an `eventSink`, each event is handed to it on the actor, in order, instead of going to `events`: for a
    /// consumer with a queue of its own (the terminal UI's inbox), which then saves a task switch per burst of events.
    /// The sink must not block.
    public init(
        configuration: OzClientConfiguration = .init(), logger: Logger = Logger(label: "ozclient"),
        eventSink: (@Sendable (OzClientEvent) -> Void)? = nil
    ) {
        (events, continuation) = AsyncStream.makeStream(of: OzClientEvent.self)
        sink = eventSink
        self.configuration = configuration
        self.logger = logger
        self.machine = ConnectionStateMachine(configuration: configuration.machine, sample: configuration.sample)
    }

    /// Connects, or reconnects with new credentials (closing any current session first).
    /// `serverAddress` takes every form of PROTOCOL.md (`host`, `host:port`, `[v6]:port`, `ws://…`, `wss://…`).
    /// A connect to another room (another server or token) leaves the old one first: its peers are reported in one
    /// ``OzClientEvent/roomLeft(peers:)`` and forgotten. One to the same room (a new Nickname) keeps them, so that its
    /// grant reports only real differences.
    public func connect(serverAddress: String, token: String, properties: JSONObject = JSONObject()) throws(ServerAddressError) {
        let address = try ServerAddress(parsing: serverAddress)
        let request = ConnectRequest(address: address, token: token, properties: properties)
        if let previous = machine.request, !previous.isSameRoom(as: request) { leaveRoom() }
        perform(machine.connect(request))
    }

    /// Forgets the current room's peers, reporting them (each `OFFLINE`) in one event.
    private func leaveRoom() {
        let left = peers.clients.map { ClientInfo(phoneNumber: $0.phoneNumber, status: .offline, properties: $0.properties) }
        peers = RosterMembership()
        emit(.roomLeft(peers: left))
    }

    /// Reconnects with the credentials of the last `connect`; false when there were none.
    @discardableResult
    public func reconnect() -> Bool {
        guard let request = machine.request else { return false }
        perform(machine.connect(request))
        return true
    }

    /// The credentials of the last `connect`.
    public var lastRequest: ConnectRequest? { machine.request }

    /// Ends the session (the gateway is told) and stops any automatic reconnect.
    public func disconnect() {
        perform(machine.disconnect())
    }

    /// Sends a message to the room (`"*"`) or to one member's phoneNumber. The gateway's echo (a `.message` event with
    /// our number as `from`) is the delivery receipt.
    public func send(_ text: String, to recipient: String = ClientFrame.room) throws(OzClientError) {
        let scalars = text.unicodeScalars.count
        guard (1...WireLimits.maxTextScalars).contains(scalars) else { throw .invalidText(scalars: scalars) }
        guard case .accessGranted = machine.state, let socket = liveSocket else { throw .notConnected }
        socket.send(.message(to: recipient, text: text))
    }

    /// Disconnects and ends the event stream.
    public func shutdown() {
        perform(machine.disconnect())
        retryTimer?.cancel()
        for socket in sockets.values { socket.close() }
        sockets.removeAll()
        continuation.finish()
    }

    private var liveSocket: ClientSocket? {
        sockets.first { machine.isLive($0.key) }?.value
    }

    func emit(_ event: OzClientEvent) {
        if let sink { sink(event) } else { continuation.yield(event) }
    }
}
