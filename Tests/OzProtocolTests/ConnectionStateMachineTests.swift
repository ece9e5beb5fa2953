import Synchronization
import Testing

@testable import OzProtocol

@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine
    typealias Token = ConnectionStateMachine.Token

    let address = try! ServerAddress(parsing: "ws://gate.example:7779/")
    let request = ConnectRequest(address: try! ServerAddress(parsing: "gate.example"), token: "1500", properties: ["Nickname": "John"])
    let t0 = ContinuousClock.now
    /// The request's one server, as a `connecting` state names it.
    static let firstServer = ServerChoice(address: try! ServerAddress(parsing: "gate.example"))
    var first: ServerChoice { Self.firstServer }

    /// A machine whose jitter always picks the top of the range, so delays are exactly min(30, 0.5 · 2ⁿ) seconds.
    func makeMachine() -> Machine { Machine(sample: { $0.upperBound }) }

    func seconds(_ value: Double) -> ContinuousClock.Instant { t0 + .seconds(value) }

    /// The token of the socket the actions open.
    func openedToken(_ actions: [Machine.Action]) -> Token? {
        for case .openSocket(_, let token) in actions { return token }
        return nil
    }

    /// The token and plan of the retry the actions schedule.
    func scheduled(_ actions: [Machine.Action]) -> (RetryPlan, Token)? {
        for case .scheduleRetry(let plan, let token) in actions { return (plan, token) }
        return nil
    }

    /// Connects and opens the socket; returns its token.
    func connectAndOpen(_ machine: inout Machine) -> Token {
        let token = openedToken(machine.connect(request))!
        _ = machine.socketOpened(token)
        return token
    }

    /// Connects and gets granted at `time`; returns the socket's token.
    func grant(_ machine: inout Machine, at time: ContinuousClock.Instant) -> Token {
        let token = connectAndOpen(&machine)
        _ = machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: time)
        return token
    }

    // MARK: - Happy path

    @Test func connectOpensSendsConnectAndReportsGrant() {
        var machine = makeMachine()
        #expect(machine.state == nil)
        let connect = machine.connect(request)
        let token = try! #require(openedToken(connect))
        #expect(connect == [.report(.connecting(attempt: 0, server: first)), .openSocket(request.address, token)])
        #expect(machine.request == request)
        #expect(machine.isLive(token))

        #expect(machine.socketOpened(token) == [.send(.connect(token: "1500", properties: ["Nickname": "John"]), token)])
        #expect(machine.socketOpened(token) == [], "a duplicate open changes nothing")

        let granted = machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: t0)
        #expect(granted == [.report(.accessGranted(phoneNumber: "1500", room: "lobby"))])
        #expect(machine.state == .accessGranted(phoneNumber: "1500", room: "lobby"))
        #expect(machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: t0) == [], "a second grant is ignored")
    }

    @Test func receivedDispatchesConnectionStateFramesOnly() {
        var machine = makeMachine()
        let token = connectAndOpen(&machine)
        let chat = ServerFrame.message(ChatMessage(id: "m-1", from: "X", to: "*", text: "hi", ts: "2026-11-27T12:00:00.000Z"))
        #expect(machine.received(chat, on: token, at: t0) == [])
        #expect(machine.received(.clientStateChanged([]), on: token, at: t0) == [])
        #expect(machine.received(.error(code: .badFrame, message: "x"), on: token, at: t0) == [])
        let granted = machine.received(.accessGranted(phoneNumber: "A", room: "r", clients: []), on: token, at: t0)
        #expect(granted == [.report(.accessGranted(phoneNumber: "A", room: "r"))])
        let closed = machine.received(.connectionClosed(reason: .kicked), on: token, at: t0)
        #expect(closed == [.closeSocket(token), .report(.connectionClosed(reason: .gateway(.kicked), retry: nil))])
    }

    @Test func receivedAccessDeniedIsDispatched() {
        var machine = makeMachine()
        let token = connectAndOpen(&machine)
        #expect(
            machine.received(.accessDenied(reason: "bad token"), on: token, at: t0) == [
                .closeSocket(token), .report(.accessDenied(reason: "bad token")),
            ])
    }

    // MARK: - CONNECTION_FAILED

    @Test func socketFailingToOpenRetriesWithBackoff() {
        var machine = makeMachine()
        let token = openedToken(machine.connect(request))!
        let actions = machine.socketLost(token, reason: "connection refused", at: t0)
        let plan = RetryPlan(attempt: 1, delay: .milliseconds(500), deadline: t0 + .milliseconds(500))
        let (_, timer) = try! #require(scheduled(actions))
        #expect(actions == [.report(.connectionFailed(reason: "connection refused", retry: plan)), .scheduleRetry(plan, timer)])
        #expect(machine.state?.retry == plan)
        #expect(!machine.isLive(token))

        let retry = machine.retryTimerFired(timer)
        let next = try! #require(openedToken(retry))
        #expect(retry == [.report(.connecting(attempt: 1, server: first)), .openSocket(request.address, next)])
        #expect(next != token)
        #expect(machine.retryTimerFired(timer) == [], "a timer fires once")
    }

    @Test func dropBeforeAnyConnectionStateIsAFailure() {
        var machine = makeMachine()
        let token = connectAndOpen(&machine)
        let actions = machine.socketLost(token, reason: "EOF", at: t0)
        guard case .report(.connectionFailed(reason: "EOF", retry: .some)) = actions.first else {
            Issue.record("expected CONNECTION_FAILED with a retry, got \(actions)")
            return
        }
    }

    @Test func repeatedFailuresGrowTheBackoffUpToTheCap() {
        var machine = makeMachine()
        var token = openedToken(machine.connect(request))!
        var delays: [Duration] = []
        var attempts: [Int] = []
        for _ in 0..<9 {
            let (plan, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
            delays.append(plan.delay)
            attempts.append(plan.attempt)
            token = openedToken(machine.retryTimerFired(timer))!
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
        #expect(attempts == Array(1...9))
    }

    @Test func jitterIsDrawnFromTheFullRange() {
        let box = RangeLog()
        var machine = Machine(sample: { range in
            box.append(range)
            return range.upperBound / 2
        })
        var token = openedToken(machine.connect(request))!
        for _ in 0..<3 {
            let (_, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
            token = openedToken(machine.retryTimerFired(timer))!
        }
        #expect(box.ranges == [0...0.5, 0...1, 0...2])
        let (plan, _) = scheduled(machine.socketLost(token, reason: "refused", at: seconds(100)))!
        #expect(plan.delay == .seconds(2))
        #expect(plan.deadline == seconds(102))
        #expect(plan.remaining(at: seconds(101)) == .seconds(1))
        #expect(plan.remaining(at: seconds(200)) == .zero)
    }

    @Test func connectionClosedBeforeGrantIsAFailure() {
        var machine = makeMachine()
        let token = connectAndOpen(&machine)
        let actions = machine.receivedConnectionClosed(token, reason: .shutdown, at: t0)
        #expect(actions.first == .closeSocket(token))
        guard case .report(.connectionFailed(_, retry: .some)) = actions.dropFirst().first else {
            Issue.record("expected CONNECTION_FAILED with a retry, got \(actions)")
            return
        }

        var kicked = makeMachine()
        let other = connectAndOpen(&kicked)
        let reason = SessionEnd.gateway(.kicked).description
        #expect(
            kicked.receivedConnectionClosed(other, reason: .kicked, at: t0) == [
                .closeSocket(other), .report(.connectionFailed(reason: reason, retry: nil)),
            ])
    }

    @Test func pongMissedBeforeGrantIsAFailure() {
        var machine = makeMachine()
        let token = connectAndOpen(&machine)
        let actions = machine.pongMissed(token, at: t0)
        #expect(actions.first == .closeSocket(token))
        #expect(actions.dropFirst().first == .report(.connectionFailed(reason: SessionEnd.pongTimeout.description, retry: machine.state?.retry)))
        #expect(machine.state?.retry != nil)
    }

    // MARK: - CONNECTION_CLOSED

    @Test(arguments: [CloseReason.shutdown, .idle, .slow, CloseReason(rawValue: "maintenance")])
    func unexpectedCloseIsRetried(reason: CloseReason) {
        var machine = makeMachine()
        let token = grant(&machine, at: t0)
        let actions = machine.receivedConnectionClosed(token, reason: reason, at: seconds(60))
        let (plan, timer) = try! #require(scheduled(actions))
        #expect(actions == [.closeSocket(token), .report(.connectionClosed(reason: .gateway(reason), retry: plan)), .scheduleRetry(plan, timer)])
        #expect(plan.attempt == 1)
        #expect(machine.state?.wireName == "CONNECTION_CLOSED")
        #expect(machine.state?.needsUser == false)
    }

    @Test func lostSocketAfterGrantIsRetried() {
        var machine = makeMachine()
        let token = grant(&machine, at: t0)
        let actions = machine.socketLost(token, reason: "reset by peer", at: seconds(30))
        let (plan, timer) = try! #require(scheduled(actions))
        #expect(actions == [.report(.connectionClosed(reason: .socketLost("reset by peer"), retry: plan)), .scheduleRetry(plan, timer)])
    }

    @Test func missedPongAfterGrantClosesAndRetries() {
        var machine = makeMachine()
        let token = grant(&machine, at: t0)
        let actions = machine.pongMissed(token, at: seconds(30))
        let (plan, timer) = try! #require(scheduled(actions))
        #expect(actions == [.closeSocket(token), .report(.connectionClosed(reason: .pongTimeout, retry: plan)), .scheduleRetry(plan, timer)])
    }

    // MARK: - Never retried

    @Test func accessDeniedIsNeverRetried() {
        var machine = makeMachine()
        let token = connectAndOpen(&machine)
        #expect(
            machine.receivedAccessDenied(token, reason: "wrong password", at: t0) == [
                .closeSocket(token), .report(.accessDenied(reason: "wrong password")),
            ])
        #expect(machine.state?.needsUser == true)
        #expect(machine.socketLost(token, reason: "closed 1008", at: t0) == [], "the close that follows changes nothing")
        #expect(machine.disconnect() == [], "nothing to disconnect")
    }

    @Test func aRejectedCertificateIsNeverRetried() {
        var machine = makeMachine()
        let token = openedToken(machine.connect(request))!
        let reason = "TLS: certificate not trusted (unknown issuer)"
        #expect(machine.certificateRejected(token, reason: reason, at: t0) == [.report(.connectionFailed(reason: reason, retry: nil))])
        #expect(machine.state?.needsUser == true)
        #expect(!machine.isLive(token))
        #expect(machine.socketLost(token, reason: "closed", at: t0) == [], "the socket's end changes nothing")
        #expect(machine.disconnect() == [], "nothing to disconnect")
        // The user connects again (say, after fixing the trust): a fresh attempt, backoff from the start.
        #expect(openedToken(machine.connect(request)) != nil)
        #expect(machine.state == .connecting(attempt: 0, server: first))
    }

    @Test func aRejectedCertificateAfterRetriesStopsThem() {
        var machine = makeMachine()
        let first = openedToken(machine.connect(request))!
        let (_, timer) = scheduled(machine.socketLost(first, reason: "connection refused", at: t0))!
        let second = openedToken(machine.retryTimerFired(timer))!
        #expect(machine.certificateRejected(first, reason: "stale", at: seconds(1)) == [], "a stale socket changes nothing")
        let actions = machine.certificateRejected(second, reason: "TLS: certificate is not valid for gate.example", at: seconds(1))
        #expect(actions == [.report(.connectionFailed(reason: "TLS: certificate is not valid for gate.example", retry: nil))])
        #expect(scheduled(actions) == nil)
    }

    @Test(arguments: [CloseReason.replaced, .kicked, .client])
    func closeReasonsThatAreNeverRetried(reason: CloseReason) {
        var machine = makeMachine()
        let token = grant(&machine, at: t0)
        #expect(
            machine.receivedConnectionClosed(token, reason: reason, at: seconds(60)) == [
                .closeSocket(token), .report(.connectionClosed(reason: .gateway(reason), retry: nil)),
            ])
        #expect(machine.state?.needsUser == true)
        #expect(machine.socketLost(token, reason: "closed", at: seconds(61)) == [])
    }

    @Test func userDisconnectWhileGrantedSaysGoodbyeAndStops() {
        var machine = makeMachine()
        let token = grant(&machine, at: t0)
        #expect(
            machine.disconnect() == [
                .send(.disconnect, token), .closeSocket(token), .report(.connectionClosed(reason: .userDisconnect, retry: nil)),
            ])
        #expect(machine.receivedConnectionClosed(token, reason: .client, at: seconds(1)) == [], "the gateway's answer is ignored")
        #expect(machine.socketLost(token, reason: "closed 1000", at: seconds(1)) == [])
        #expect(machine.disconnect() == [])
    }

    @Test func userDisconnectWhileConnectingCancelsTheAttempt() {
        var machine = makeMachine()
        let token = openedToken(machine.connect(request))!
        #expect(machine.disconnect() == [.closeSocket(token), .report(.connectionClosed(reason: .userDisconnect, retry: nil))])
        #expect(machine.socketOpened(token) == [.closeSocket(token)], "a socket that opens too late is closed")
    }

    // MARK: - Stale timers and sockets

    @Test func userDisconnectMakesAPendingRetryStale() {
        var machine = makeMachine()
        let token = openedToken(machine.connect(request))!
        let (_, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
        #expect(machine.disconnect() == [.cancelRetry, .report(.connectionClosed(reason: .userDisconnect, retry: nil))])
        #expect(machine.retryTimerFired(timer) == [])
        #expect(machine.state == .connectionClosed(reason: .userDisconnect, retry: nil))
    }

    @Test func reconnectMakesAPendingRetryStale() {
        var machine = makeMachine()
        let token = openedToken(machine.connect(request))!
        let (_, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
        let reconnect = machine.connect(request)
        let fresh = try! #require(openedToken(reconnect))
        #expect(reconnect == [.cancelRetry, .report(.connecting(attempt: 0, server: first)), .openSocket(request.address, fresh)])
        #expect(machine.retryTimerFired(timer) == [])
        #expect(machine.isLive(fresh))
    }

    @Test func reconnectWhileGrantedClosesTheOldSession() {
        var machine = makeMachine()
        let old = grant(&machine, at: t0)
        var other = request
        other.token = "lobby-token"
        let actions = machine.connect(other)
        let fresh = try! #require(openedToken(actions))
        #expect(
            actions == [
                .send(.disconnect, old), .closeSocket(old), .report(.connecting(attempt: 0, server: ServerChoice(address: other.address))),
                .openSocket(other.address, fresh),
            ])
        #expect(machine.request == other)

        // Late events from the old socket change nothing.
        #expect(machine.socketLost(old, reason: "closed", at: seconds(1)) == [])
        #expect(machine.receivedConnectionClosed(old, reason: .client, at: seconds(1)) == [])
        #expect(machine.receivedAccessGranted(old, phoneNumber: "1500", room: "lobby", at: seconds(1)) == [])
        #expect(machine.pongMissed(old, at: seconds(1)) == [])
        #expect(machine.receivedAccessDenied(old, reason: "x", at: t0) == [])
        #expect(machine.socketOpened(old) == [.closeSocket(old)])
        #expect(machine.socketOpened(fresh) == [.send(other.frame, fresh)])
    }

    @Test func reconnectWhileOpeningClosesTheOldSocket() {
        var machine = makeMachine()
        let old = openedToken(machine.connect(request))!
        let actions = machine.connect(request)
        #expect(actions.first == .closeSocket(old))
        #expect(machine.socketLost(old, reason: "cancelled", at: t0) == [])
    }

    @Test func timerTokenIsNotASocketToken() {
        var machine = makeMachine()
        let token = openedToken(machine.connect(request))!
        let (_, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
        #expect(!machine.isLive(timer))
        #expect(machine.socketLost(timer, reason: "x", at: t0) == [])
        #expect(machine.retryTimerFired(token) == [], "a socket token does not fire the timer")
    }

    // MARK: - Backoff reset

    /// Fails `count` times in a row, then gets granted at `grantedAt`; returns the granted socket's token.
    func failThenGrant(_ machine: inout Machine, failures count: Int, grantedAt: ContinuousClock.Instant) -> Token {
        var token = openedToken(machine.connect(request))!
        for _ in 0..<count {
            let (_, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
            token = openedToken(machine.retryTimerFired(timer))!
        }
        _ = machine.socketOpened(token)
        _ = machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: grantedAt)
        return token
    }

    @Test(arguments: [10.0, 10.5, 3600])
    func sessionOfTenSecondsOrMoreResetsTheBackoff(length: Double) {
        var machine = makeMachine()
        let token = failThenGrant(&machine, failures: 4, grantedAt: seconds(100))
        let (plan, _) = scheduled(machine.socketLost(token, reason: "reset", at: seconds(100 + length)))!
        #expect(plan.attempt == 1)
        #expect(plan.delay == .milliseconds(500))
    }

    @Test(arguments: [0.0, 1, 9.999])
    func shortSessionKeepsTheBackoffGrowing(length: Double) {
        var machine = makeMachine()
        let token = failThenGrant(&machine, failures: 4, grantedAt: seconds(100))
        let (plan, _) = scheduled(machine.receivedConnectionClosed(token, reason: .shutdown, at: seconds(100 + length)))!
        #expect(plan.attempt == 5)
        #expect(plan.delay == .seconds(8))
    }

    @Test func gatewayThatGrantsThenDropsIsNotHammered() {
        var machine = makeMachine()
        var token = grant(&machine, at: t0)
        var delays: [Duration] = []
        for round in 0..<8 {
            let now = seconds(Double(round) * 40)
            let (plan, timer) = scheduled(machine.socketLost(token, reason: "dropped", at: now + .seconds(1)))!
            delays.append(plan.delay)
            token = openedToken(machine.retryTimerFired(timer))!
            _ = machine.socketOpened(token)
            _ = machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: now + .seconds(40))
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
    }

    @Test func userConnectRestartsTheBackoff() {
        var machine = makeMachine()
        var token = openedToken(machine.connect(request))!
        for _ in 0..<5 {
            let (_, timer) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
            token = openedToken(machine.retryTimerFired(timer))!
        }
        token = openedToken(machine.connect(request))!
        let (plan, _) = scheduled(machine.socketLost(token, reason: "refused", at: t0))!
        #expect(plan.attempt == 1)
        #expect(plan.delay == .milliseconds(500))
    }

    @Test func customResetThreshold() {
        var machine = Machine(configuration: .init(resetAfter: .seconds(60)), sample: { $0.upperBound })
        let token = failThenGrant(&machine, failures: 2, grantedAt: t0)
        let (plan, _) = scheduled(machine.socketLost(token, reason: "reset", at: seconds(30)))!
        #expect(plan.attempt == 3)
    }

    // MARK: - Reported states

    @Test func requestDescriptionHidesSecrets() {
        let secret = ConnectRequest(address: address, token: "s3cret-token", properties: ["Nickname": "John", "Password": "12345678"])
        #expect(secret.description == "ConnectRequest(ws://gate.example:7779/, token: 12 characters, properties: [Nickname, Password])")
        #expect(!secret.description.contains("s3cret") && !secret.description.contains("12345678"))
    }

    @Test(arguments: [
        (ConnectionState.connecting(attempt: 0, server: firstServer), "CONNECTING", false),
        (.accessGranted(phoneNumber: "1500", room: "lobby"), "ACCESS_GRANTED", false),
        (.accessDenied(reason: "bad token"), "ACCESS_DENIED", true),
        (.connectionFailed(reason: "refused", retry: nil), "CONNECTION_FAILED", true),
        (.connectionFailed(reason: "refused", retry: RetryPlan(attempt: 1, delay: .seconds(1), deadline: .now)), "CONNECTION_FAILED", false),
        (.connectionClosed(reason: .gateway(.replaced), retry: nil), "CONNECTION_CLOSED", true),
        (.connectionClosed(reason: .userDisconnect, retry: nil), "CONNECTION_CLOSED", true),
    ])
    func statesShowTheProtocolsWords(state: ConnectionState, wireName: String, needsUser: Bool) {
        #expect(state.wireName == wireName)
        #expect(state.needsUser == needsUser)
        #expect(state.description.hasPrefix(wireName))
    }

    @Test func descriptionsCarryTheReason() {
        #expect(ConnectionState.connecting(attempt: 2, server: first).description == "CONNECTING")
        #expect(ConnectionState.accessDenied(reason: "bad token").description == "ACCESS_DENIED: bad token")
        #expect(
            ConnectionState.connectionClosed(reason: .gateway(.shutdown), retry: nil).description
                == "CONNECTION_CLOSED: the gateway is shutting down")
        #expect(
            ConnectionState.connectionClosed(reason: .gateway(CloseReason(rawValue: "odd")), retry: nil).reason
                == "the gateway closed the session (odd)")
        #expect(ConnectionState.accessGranted(phoneNumber: "1", room: "r").reason == nil)
    }

    @Test func sessionEndRetryPolicy() {
        #expect(SessionEnd.gateway(.shutdown).allowsRetry)
        #expect(SessionEnd.gateway(.idle).allowsRetry)
        #expect(SessionEnd.gateway(.slow).allowsRetry)
        #expect(SessionEnd.socketLost("x").allowsRetry)
        #expect(SessionEnd.pongTimeout.allowsRetry)
        #expect(!SessionEnd.gateway(.replaced).allowsRetry)
        #expect(!SessionEnd.gateway(.kicked).allowsRetry)
        #expect(!SessionEnd.gateway(.client).allowsRetry)
        #expect(!SessionEnd.userDisconnect.allowsRetry)
    }
}

/// Collects the ranges a sampler was asked for (the sampler is `@Sendable`, hence the mutex).
final class RangeLog: Sendable {
    private let stored = Mutex<[ClosedRange<Double>]>([])

    func append(_ range: ClosedRange<Double>) { stored.withLock { $0.append(range) } }
    var ranges: [ClosedRange<Double>] { stored.withLock { $0 } }
}
