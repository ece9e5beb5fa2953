/// The client's connection lifecycle and reconnect policy (PROTOCOL.md) as a pure state machine.
///
/// It owns no socket, timer or clock: the IO layer reports what happened by calling a mutating method, passing the
/// current time (`ContinuousClock.Instant`, read by the caller) where timing matters, and then carries out the returned
/// ``Action``s in order. Every socket and retry timer is named by a ``Token``; an event carrying a token that is no
/// longer current (a late callback from a socket that was replaced, or a retry timer that fired after the user
/// reconnected or disconnected) changes nothing.
///
/// Policy: `CONNECTION_FAILED`, and a `CONNECTION_CLOSED` that the session did not ask for, schedule a retry after a
/// full-jitter ``Backoff`` delay. Never retried: `ACCESS_DENIED`, a gateway certificate the TLS handshake rejected
/// (untrusted, expired, or not for this host: the same certificate would be rejected again, so the client stops instead
/// of hammering the gateway), reasons `replaced`, `kicked` and `client`, and the user's own disconnect. The backoff's attempt counter restarts after a granted session that lasted at least
/// ``Configuration/resetAfter`` (10 s); a shorter session keeps it growing, so a gateway that admits and then
/// immediately drops us is not hammered. A new ``connect(_:)`` by the user restarts it too.
///
/// Several servers (``ConnectRequest/addresses``, cluster nodes serving the same rooms): every automatic retry goes to
/// the next server in turn, wrapping, after the same backoff delay as with one server, so the first retry after a
/// granted session was lost goes promptly to the next node. The server that granted is the current one: a later drop
/// moves on from it. An `ACCESS_DENIED` whose reason is a ``TransientDenial`` (a cluster node without its store) is
/// then a failed attempt, retried on the next server; with one server it stops as any denial does. A ``connect(_:)``
/// naming the same servers starts from the current one (a `/nick` stays on the node it is on), another list from its
/// first.
public struct ConnectionStateMachine: Sendable {
    /// Names one socket or one retry timer; tokens are never reused by a machine.
    public struct Token: Sendable, Hashable, CustomStringConvertible {
        let value: UInt64
        public var description: String { "#\(value)" }
    }

    /// The machine's settings; every field has the protocol's default.
    public struct Configuration: Sendable, Hashable {
        /// The retry delays.
        public var backoff: Backoff
        /// A granted session at least this long restarts the backoff at attempt 0.
        public var resetAfter: Duration

        public init(backoff: Backoff = .standard, resetAfter: Duration = .seconds(10)) {
            self.backoff = backoff
            self.resetAfter = resetAfter
        }
    }

    /// Work for the IO layer, to be carried out in the order returned.
    public enum Action: Sendable, Equatable {
        /// Open a WebSocket to the address; report ``socketOpened(_:)`` or ``socketLost(_:reason:at:)`` with the token.
        case openSocket(ServerAddress, Token)
        /// Send a frame on that socket.
        case send(ClientFrame, Token)
        /// Close that socket (or cancel its opening); events it still produces are ignored.
        case closeSocket(Token)
        /// Sleep until `plan.deadline`, then call ``retryTimerFired(_:)`` with the token. Replaces any pending timer.
        case scheduleRetry(RetryPlan, Token)
        /// Cancel the pending retry timer, if any (a late firing would be ignored anyway).
        case cancelRetry
        /// Tell the UI about the new state.
        case report(ConnectionState)
    }

    /// Where the machine is; each live phase carries the token of its socket or timer.
    enum Phase: Sendable, Hashable {
        /// Nothing to do: before the first connect, or after the user's disconnect.
        case idle
        /// The socket is being opened.
        case opening(Token)
        /// The socket is open and `connect` was sent; waiting for the gateway's `connectionState`.
        case awaitingAnswer(Token)
        /// The session was granted at `since`.
        case granted(Token, since: ContinuousClock.Instant)
        /// A retry timer is pending.
        case waitingToRetry(Token, attempt: Int)
        /// The policy does not retry (denied, replaced, kicked): waiting for the user.
        case stopped
    }

    /// The backoff and reset settings the machine was made with.
    public let configuration: Configuration
    private let sample: @Sendable (ClosedRange<Double>) -> Double
    private(set) var phase = Phase.idle
    /// Retries drawn since the last reset; the exponent of the next backoff delay.
    private(set) var consecutiveRetries = 0
    /// The index in the request's ``ConnectRequest/addresses`` of the server being tried, granted, or last tried.
    private(set) var serverIndex = 0
    private var lastToken: UInt64 = 0

    /// The credentials of the latest ``connect(_:)``, for a UI that offers to try again with them.
    public private(set) var request: ConnectRequest?
    /// The last state reported, nil before the first connect.
    public private(set) var state: ConnectionState?

    /// Makes an idle machine; `sample` draws the backoff jitter from the range it is given (inject a fixed one in tests).
    public init(
        configuration: Configuration = Configuration(),
        sample: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.configuration = configuration
        self.sample = sample
    }

    /// Whether events from the socket named `token` still matter (it is being opened, awaiting an answer, or granted).
    public func isLive(_ token: Token) -> Bool {
        switch phase {
        case .opening(let current), .awaitingAnswer(let current), .granted(let current, _): current == token
        case .idle, .waitingToRetry, .stopped: false
        }
    }

    /// Whether the socket named `token` is still being opened (its WebSocket handshake has not finished).
    public func isOpening(_ token: Token) -> Bool {
        if case .opening(token) = phase { true } else { false }
    }

    // MARK: - User

    /// The user connects, or reconnects with new credentials: any current socket is closed (after a polite
    /// `disconnect` if granted), any pending retry cancelled, the backoff restarted, and a new socket opened.
    public mutating func connect(_ request: ConnectRequest) -> [Action] {
        var actions = tearDown()
        if self.request?.addresses != request.addresses { serverIndex = 0 }
        self.request = request
        consecutiveRetries = 0
        actions += startAttempt(0)
        return actions
    }

    /// The user disconnects: reported as `CONNECTION_CLOSED` (`userDisconnect`, no retry) from any active phase,
    /// including a connection attempt or a pending retry. Does nothing when idle or already stopped.
    public mutating func disconnect() -> [Action] {
        switch phase {
        case .idle, .stopped:
            return []
        case .opening, .awaitingAnswer, .granted, .waitingToRetry:
            var actions = tearDown()
            phase = .idle
            actions.append(report(.connectionClosed(reason: .userDisconnect, retry: nil)))
            return actions
        }
    }

    // MARK: - Socket

    /// The socket named `token` finished its WebSocket handshake: send `connect`.
    /// A socket that is no longer wanted is closed.
    public mutating func socketOpened(_ token: Token) -> [Action] {
        guard case .opening(token) = phase, let request else {
            return isLive(token) ? [] : [.closeSocket(token)]
        }
        phase = .awaitingAnswer(token)
        return [.send(request.frame, token)]
    }

    /// The socket named `token` failed to open or closed without a `connectionState` frame explaining why
    /// (the IO layer also uses this for its own handshake or answer timeout). `reason` is shown to the user.
    public mutating func socketLost(_ token: Token, reason: String, at now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .opening(token), .awaitingAnswer(token):
            return failed(reason: reason, retry: true, at: now)
        case .granted(token, let since):
            return ended(.socketLost(reason), since: since, at: now)
        default:
            return []
        }
    }

    /// The socket named `token` failed its TLS handshake because the gateway's certificate was rejected (untrusted,
    /// out of its dates, or not for this host). Reported as `CONNECTION_FAILED` and, unlike other failures, not
    /// retried: the user must act (fix the trust settings, or `connect` again once the gateway's certificate is fixed).
    public mutating func certificateRejected(_ token: Token, reason: String, at now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .opening(token), .awaitingAnswer(token):
            return failed(reason: reason, retry: false, at: now)
        case .granted(token, let since):
            // Cannot happen (the handshake precedes the grant); treated as a lost socket, as any other failure would be.
            return ended(.socketLost(reason), since: since, at: now)
        default:
            return []
        }
    }

    /// The socket named `token` missed its pong deadline: it is closed and treated as lost.
    public mutating func pongMissed(_ token: Token, at now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .opening(token), .awaitingAnswer(token):
            return [.closeSocket(token)] + failed(reason: SessionEnd.pongTimeout.description, retry: true, at: now)
        case .granted(token, let since):
            return [.closeSocket(token)] + ended(.pongTimeout, since: since, at: now)
        default:
            return []
        }
    }

    // MARK: - Gateway frames

    /// Feeds any received frame: the three `connectionState` frames go to their handlers, other frames change nothing.
    public mutating func received(_ frame: ServerFrame, on token: Token, at now: ContinuousClock.Instant) -> [Action] {
        switch frame {
        case .accessGranted(let phoneNumber, let room, _):
            receivedAccessGranted(token, phoneNumber: phoneNumber, room: room, at: now)
        case .accessDenied(let reason):
            receivedAccessDenied(token, reason: reason, at: now)
        case .connectionClosed(let reason):
            receivedConnectionClosed(token, reason: reason, at: now)
        case .clientStateChanged, .message, .history, .error:
            []
        }
    }

    /// `ACCESS_GRANTED` arrived: the session starts now (its length decides whether the backoff restarts).
    public mutating func receivedAccessGranted(_ token: Token, phoneNumber: String, room: String, at now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .opening(token), .awaitingAnswer(token):
            phase = .granted(token, since: now)
            return [report(.accessGranted(phoneNumber: phoneNumber, room: room))]
        default:
            return []
        }
    }

    /// `ACCESS_DENIED` arrived: the socket is closed and the user must be asked; never retried, except a
    /// ``TransientDenial`` before a grant when the request has other servers: a failed attempt, tried on the next one.
    public mutating func receivedAccessDenied(_ token: Token, reason: String, at now: ContinuousClock.Instant) -> [Action] {
        guard isLive(token) else { return [] }
        if TransientDenial.isTransient(reason), let request, request.addresses.count > 1, !isGranted(token) {
            return [.closeSocket(token)] + failed(reason: "access denied: \(reason)", retry: true, at: now)
        }
        phase = .stopped
        return [.closeSocket(token), report(.accessDenied(reason: reason))]
    }

    /// `CONNECTION_CLOSED` arrived. After a grant it ends the session; before one (which the protocol does not
    /// expect) it counts as a failed connection. Either way `replaced`, `kicked` and `client` are not retried.
    public mutating func receivedConnectionClosed(_ token: Token, reason: CloseReason, at now: ContinuousClock.Instant) -> [Action] {
        let end = SessionEnd.gateway(reason)
        switch phase {
        case .opening(token), .awaitingAnswer(token):
            return [.closeSocket(token)] + failed(reason: end.description, retry: end.allowsRetry, at: now)
        case .granted(token, let since):
            return [.closeSocket(token)] + ended(end, since: since, at: now)
        default:
            return []
        }
    }

    // MARK: - Timer

    /// The retry timer named `token` fired: open a new socket to the next server, unless the timer is stale.
    public mutating func retryTimerFired(_ token: Token) -> [Action] {
        guard case .waitingToRetry(token, let attempt) = phase, let request else { return [] }
        serverIndex = (serverIndex + 1) % request.addresses.count
        return startAttempt(attempt)
    }

    // MARK: - Helpers

    private func isGranted(_ token: Token) -> Bool {
        if case .granted(token, _) = phase { true } else { false }
    }

    private mutating func nextToken() -> Token {
        lastToken += 1
        return Token(value: lastToken)
    }

    private mutating func report(_ state: ConnectionState) -> Action {
        self.state = state
        return .report(state)
    }

    /// Releases whatever the current phase holds, without changing the phase.
    private func tearDown() -> [Action] {
        switch phase {
        case .idle, .stopped: []
        case .opening(let token), .awaitingAnswer(let token): [.closeSocket(token)]
        case .granted(let token, _): [.send(.disconnect, token), .closeSocket(token)]
        case .waitingToRetry: [.cancelRetry]
        }
    }

    private mutating func startAttempt(_ attempt: Int) -> [Action] {
        guard let request else { return [] }
        let token = nextToken()
        phase = .opening(token)
        let server = ServerChoice(address: request.addresses[serverIndex], index: serverIndex, count: request.addresses.count)
        return [report(.connecting(attempt: attempt, server: server)), .openSocket(server.address, token)]
    }

    /// A connection attempt failed before any grant.
    private mutating func failed(reason: String, retry: Bool, at now: ContinuousClock.Instant) -> [Action] {
        guard retry else {
            phase = .stopped
            return [report(.connectionFailed(reason: reason, retry: nil))]
        }
        let (plan, token) = planRetry(at: now)
        return [report(.connectionFailed(reason: reason, retry: plan)), .scheduleRetry(plan, token)]
    }

    /// A granted session that started at `since` ended now.
    private mutating func ended(_ end: SessionEnd, since: ContinuousClock.Instant, at now: ContinuousClock.Instant) -> [Action] {
        guard end.allowsRetry else {
            phase = .stopped
            return [report(.connectionClosed(reason: end, retry: nil))]
        }
        if now - since >= configuration.resetAfter { consecutiveRetries = 0 }
        let (plan, token) = planRetry(at: now)
        return [report(.connectionClosed(reason: end, retry: plan)), .scheduleRetry(plan, token)]
    }

    /// Draws the next delay, advances the attempt counter and enters `waitingToRetry`.
    private mutating func planRetry(at now: ContinuousClock.Instant) -> (RetryPlan, Token) {
        let delay = configuration.backoff.delay(forAttempt: consecutiveRetries, sample: sample)
        consecutiveRetries += 1
        let plan = RetryPlan(attempt: consecutiveRetries, delay: delay, deadline: now + delay)
        let token = nextToken()
        phase = .waitingToRetry(token, attempt: plan.attempt)
        return (plan, token)
    }
}
