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
    /// History and resume: the cursor, the ids shown, our unechoed messages (see ``HistoryTracker``).
    var history: HistoryTracker

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
        self.history = HistoryTracker(newest: configuration.history)
    }

    /// Connects, or reconnects with new credentials (closing any current session first).
    /// `serverAddress` takes every form of PROTOCOL.md (`host`, `host:port`, `[v6]:port`, `ws://…`, `wss://…`).
    /// A connect to another room (another server or token) leaves the old one first: its peers are reported in one
    /// ``OzClientEvent/roomLeft(peers:)`` and forgotten. One to the same room (a new Nickname) keeps them, so that its
    /// grant reports only real differences.
    ///
    /// History (OzWire v1.1): the first `connect` to a room asks for its newest ``OzClientConfiguration/history``
    /// messages; a later one to the same room resumes from the last room message seen (see ``HistoryTracker``).
    public func connect(serverAddress: String, token: String, properties: JSONObject = JSONObject()) throws(ServerAddressError) {
        try connect(serverAddresses: [serverAddress], token: token, properties: properties)
    }

    /// ``connect(serverAddress:token:properties:)`` to a room served by several servers (cluster nodes), tried in turn
    /// from the first: each failed attempt or lost session moves on to the next, wrapping, with the usual backoff
    /// between attempts (see ``ConnectionStateMachine``); a resume on another node asks for what was said since the
    /// last message seen, as on the same one. The properties (an extension's password too) go to each of them: pass
    /// only servers the user gave for this room. A server named twice (`localhost`, `ws://localhost:7779/`) is tried
    /// once, at its first place. Throws for an empty list (``ServerAddressError/empty``) or the first address that
    /// does not parse.
    public func connect(serverAddresses: [String], token: String, properties: JSONObject = JSONObject()) throws(ServerAddressError) {
        guard !serverAddresses.isEmpty else { throw .empty }
        var addresses: [ServerAddress] = []
        for text in serverAddresses {
            let address = try ServerAddress(parsing: text)
            if !addresses.contains(address) { addresses.append(address) }
        }
        let request = ConnectRequest(addresses: addresses, token: token, properties: properties)
        if let previous = machine.request, !previous.isSameRoom(as: request) { leaveRoom() }
        for message in history.entering(request) {
            emit(.undelivered(message, reason: "you left its room before the gateway confirmed it"))
        }
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

    /// Sends a message to the room (`"*"`) or to one member's phoneNumber, with a random nonce, and reports it
    /// (``OzClientEvent/pending(_:)``). The gateway's echo (a `.message` event with that nonce) is the delivery
    /// receipt. If the connection drops first, the resumed session settles it: confirmed when the resumed history holds
    /// it, else sent again, once (a private message, or any on a gateway that keeps no history, is reported
    /// undelivered instead: whether the gateway got it cannot be told). A room message sent while the session is on its
    /// way back without the user (connecting, or a retry scheduled) waits and goes out once it resumes; otherwise, and
    /// for a private message (numbers change between sessions), not being granted is ``OzClientError/notConnected``.
    /// Returns the nonce.
    @discardableResult
    public func send(_ text: String, to recipient: String = ClientFrame.room) throws(OzClientError) -> String {
        let scalars = text.unicodeScalars.count
        guard (1...WireLimits.maxTextScalars).contains(scalars) else { throw .invalidText(scalars: scalars) }
        guard case .accessGranted = machine.state, let socket = liveSocket else {
            guard recipient == ClientFrame.room, machine.state?.isOnItsWay == true else { throw .notConnected }
            let message = history.queue(text: text)
            emit(.pending(message))
            return message.nonce
        }
        let (message, sendNow) = history.send(text: text, to: recipient)
        emit(.pending(message))
        if sendNow { socket.send(.message(to: recipient, text: text, nonce: message.nonce)) }
        return message.nonce
    }

    /// Asks the gateway for a page of room messages older than `before` (the oldest id shown), answered by a
    /// ``OzClientEvent/history(_:)`` of kind ``HistoryBatch/Kind/older``. Answers come in the order of the requests.
    public func requestOlderHistory(before: String?, limit: Int = HistoryQuery.defaultLimit) throws(OzClientError) {
        guard case .accessGranted = machine.state, let socket = liveSocket else { throw .notConnected }
        socket.send(.history(HistoryQuery(before: before, limit: min(max(1, limit), HistoryQuery.maxLimit))))
    }

    /// Our messages sent but not yet echoed (or confirmed), oldest first.
    public var pendingMessages: [OutgoingMessage] { history.pending }

    /// Disconnects and ends the event stream.
    public func shutdown() {
        perform(machine.disconnect())
        retryTimer?.cancel()
        for socket in sockets.values { socket.close() }
        sockets.removeAll()
        continuation.finish()
    }

    var liveSocket: ClientSocket? {
        sockets.first { machine.isLive($0.key) }?.value
    }

    func emit(_ event: OzClientEvent) {
        if let sink { sink(event) } else { continuation.yield(event) }
    }
}
