import Testing

@testable import OzProtocol

/// The state machine with several servers for one room (issue 15): every retry goes to the next server in turn, with
/// the usual backoff; a grant makes its server the current one; the transient cluster denial moves on.
@Suite struct ConnectionStateMachineServersTests {
    typealias Machine = ConnectionStateMachine
    typealias Token = ConnectionStateMachine.Token

    let addresses = ["a.example", "b.example:7781", "wss://c.example/chat"].map { try! ServerAddress(parsing: $0) }
    var request: ConnectRequest { ConnectRequest(addresses: addresses, token: "1500", properties: ["Nickname": "John", "Password": "pw"]) }
    let t0 = ContinuousClock.now

    func makeMachine() -> Machine { Machine(sample: { $0.upperBound }) }

    func choice(_ index: Int) -> ServerChoice { ServerChoice(address: addresses[index], index: index, count: addresses.count) }

    /// The socket the actions open: where, and its token.
    func opened(_ actions: [Machine.Action]) -> (ServerAddress, Token)? {
        for case .openSocket(let address, let token) in actions { return (address, token) }
        return nil
    }

    func scheduled(_ actions: [Machine.Action]) -> (RetryPlan, Token)? {
        for case .scheduleRetry(let plan, let token) in actions { return (plan, token) }
        return nil
    }

    @Test func eachFailedAttemptMovesToTheNextServerWrappingWithGrowingBackoff() throws {
        var machine = makeMachine()
        let connect = machine.connect(request)
        var (address, token) = try #require(opened(connect))
        #expect(connect.first == .report(.connecting(attempt: 0, server: choice(0))))
        #expect(address == addresses[0])
        var tried: [ServerAddress] = [address]
        var delays: [Duration] = []
        for attempt in 1...4 {
            let (plan, timer) = try #require(scheduled(machine.socketLost(token, reason: "connection refused", at: t0)))
            delays.append(plan.delay)
            let retry = machine.retryTimerFired(timer)
            (address, token) = try #require(opened(retry))
            #expect(retry.first == .report(.connecting(attempt: attempt, server: choice(attempt % 3))))
            tried.append(address)
        }
        #expect(tried == [addresses[0], addresses[1], addresses[2], addresses[0], addresses[1]])
        #expect(delays == [0.5, 1, 2, 4].map { Duration.seconds($0) }, "the backoff grows across servers: nothing is hammered")
    }

    @Test func aLostSessionMovesPromptlyFromTheGrantingServerToTheNext() throws {
        var machine = makeMachine()
        var (_, token) = try #require(opened(machine.connect(request)))
        let (_, timer) = try #require(scheduled(machine.socketLost(token, reason: "refused", at: t0)))
        (_, token) = try #require(opened(machine.retryTimerFired(timer)))
        _ = machine.socketOpened(token)
        _ = machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: t0)
        // Granted on b for a minute: the backoff restarts, so the first retry comes within base (0.5 s), to c.
        let lost = machine.socketLost(token, reason: "the connection closed", at: t0 + .seconds(60))
        let (plan, next) = try #require(scheduled(lost))
        #expect(plan.delay == .milliseconds(500) && plan.attempt == 1)
        let retry = machine.retryTimerFired(next)
        #expect(retry.first == .report(.connecting(attempt: 1, server: choice(2))))
        #expect(opened(retry)?.0 == addresses[2])
    }

    @Test func theClusterStoreDenialMovesOnWithSeveralServersAndAnyOtherDenialIsFinal() throws {
        var machine = makeMachine()
        var (_, token) = try #require(opened(machine.connect(request)))
        _ = machine.socketOpened(token)
        let denied = machine.received(.accessDenied(reason: TransientDenial.clusterStoreUnavailable), on: token, at: t0)
        let (plan, timer) = try #require(scheduled(denied))
        #expect(
            denied == [
                .closeSocket(token), .report(.connectionFailed(reason: "access denied: cluster store unavailable", retry: plan)),
                .scheduleRetry(plan, timer),
            ])
        (_, token) = try #require(opened(machine.retryTimerFired(timer)))
        #expect(machine.state == .connecting(attempt: 1, server: choice(1)))
        _ = machine.socketOpened(token)
        let final = machine.received(.accessDenied(reason: "wrong password"), on: token, at: t0)
        #expect(final == [.closeSocket(token), .report(.accessDenied(reason: "wrong password"))])
        #expect(machine.state?.needsUser == true)
    }

    @Test func theClusterStoreDenialIsFinalWithOneServer() throws {
        var machine = makeMachine()
        let one = ConnectRequest(address: addresses[0], token: "1500")
        let (_, token) = try #require(opened(machine.connect(one)))
        _ = machine.socketOpened(token)
        let denied = machine.received(.accessDenied(reason: TransientDenial.clusterStoreUnavailable), on: token, at: t0)
        #expect(denied == [.closeSocket(token), .report(.accessDenied(reason: "cluster store unavailable"))])
    }

    @Test func replacedIsNotRetriedOnAnotherServer() throws {
        var machine = makeMachine()
        let (_, token) = try #require(opened(machine.connect(request)))
        _ = machine.socketOpened(token)
        _ = machine.receivedAccessGranted(token, phoneNumber: "1500", room: "lobby", at: t0)
        let closed = machine.received(.connectionClosed(reason: .replaced), on: token, at: t0 + .seconds(1))
        #expect(closed == [.closeSocket(token), .report(.connectionClosed(reason: .gateway(.replaced), retry: nil))])
    }

    @Test func aConnectToTheSameServersStaysOnTheCurrentOneAndAnotherListStartsAtItsFirst() throws {
        var machine = makeMachine()
        let (_, token) = try #require(opened(machine.connect(request)))
        let (_, timer) = try #require(scheduled(machine.socketLost(token, reason: "refused", at: t0)))
        let granted = try #require(opened(machine.retryTimerFired(timer)))
        #expect(granted.0 == addresses[1])
        // A new nickname: the same servers, so the same (current) server.
        var renamed = request
        renamed.properties = ["Nickname": "Johnny"]
        let again = machine.connect(renamed)
        #expect(again.contains(.report(.connecting(attempt: 0, server: choice(1)))))
        // Another list (the first dropped): its own first.
        let other = ConnectRequest(addresses: Array(addresses.dropFirst()), token: "1500")
        let moved = machine.connect(other)
        #expect(opened(moved)?.0 == addresses[1])
        #expect(moved.contains(.report(.connecting(attempt: 0, server: ServerChoice(address: addresses[1], index: 0, count: 2)))))
    }

    @Test func requestsSharingAServerAndTheTokenAreTheSameRoom() {
        let one = ConnectRequest(address: addresses[1], token: "1500")
        #expect(request.isSameRoom(as: one) && one.isSameRoom(as: request))
        #expect(!request.isSameRoom(as: ConnectRequest(address: addresses[1], token: "1501")))
        #expect(!one.isSameRoom(as: ConnectRequest(address: addresses[0], token: "1500")))
    }

    @Test func theChoiceNamesTheServerAndItsPlace() {
        #expect(choice(1).description == "b.example:7781 (2 of 3)")
        #expect(choice(2).description == "wss://c.example:7779/chat (3 of 3)")
        #expect(ServerChoice(address: addresses[0]).description == "a.example:7779")
        let v6 = try! ServerAddress(parsing: "[::1]:7781")
        #expect(v6.shortText == "[::1]:7781" && (try? ServerAddress(parsing: v6.shortText)) == v6)
    }
}
