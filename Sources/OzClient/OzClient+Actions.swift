import OzProtocol

extension OzClient {
    /// Carries out the state machine's actions, in order.
    func perform(_ actions: [ConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .openSocket(let address, let token):
                sockets[token] = ClientSocket.open(address: address, token: token, client: self)
                start(.open, token)
            case .send(let frame, let token):
                if case .connect(let login, let properties, _) = frame {
                    // The machine knows nothing of history: what to ask for is the tracker's (a join or a resume).
                    sockets[token]?.send(.connect(token: login, properties: properties, recall: history.recall()))
                    start(.answer, token)
                } else {
                    sockets[token]?.send(frame)
                }
            case .closeSocket(let token):
                sockets.removeValue(forKey: token)?.close()
            case .scheduleRetry(let plan, let token):
                retryTimer?.cancel()
                retryTimer = Task { [weak self] in
                    try? await Task.sleep(until: plan.deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    await self?.retryFired(token)
                }
            case .cancelRetry:
                retryTimer?.cancel()
                retryTimer = nil
            case .report(let state):
                if case .accessGranted(let number, _) = state { phoneNumber = number } else { phoneNumber = nil }
                emit(.connectionState(state))
            }
        }
    }

    private func retryFired(_ token: ConnectionStateMachine.Token) {
        perform(machine.retryTimerFired(token))
    }

    /// The two handshake deadlines of an attempt. `open`: swift-websocket never reports a server that accepts the TCP
    /// connection and closes it without an HTTP answer, so without it the client would stay `CONNECTING` for good.
    /// `answer`: an unanswered `connect`. Either one passing counts as a failed attempt.
    enum HandshakeDeadline {
        case open, answer
    }

    private func start(_ deadline: HandshakeDeadline, _ token: ConnectionStateMachine.Token) {
        let timeout = deadline == .open ? configuration.openTimeout : configuration.answerTimeout
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.passed(deadline, token)
        }
    }

    private func passed(_ deadline: HandshakeDeadline, _ token: ConnectionStateMachine.Token) {
        switch deadline {
        case .open:
            guard machine.isOpening(token) else { return }
            sockets.removeValue(forKey: token)?.close()
            perform(machine.socketLost(token, reason: "no WebSocket handshake within \(configuration.openTimeout)", at: .now))
        case .answer:
            guard machine.isLive(token), case .connecting = machine.state else { return }
            perform(machine.socketLost(token, reason: "no answer to connect within \(configuration.answerTimeout)", at: .now))
        }
    }

    // MARK: socket events

    func socketOpened(_ token: ConnectionStateMachine.Token) {
        perform(machine.socketOpened(token))
    }

    func socketLost(_ token: ConnectionStateMachine.Token, reason: String) {
        sockets.removeValue(forKey: token)
        perform(machine.socketLost(token, reason: reason, at: .now))
    }

    /// The TLS handshake rejected the gateway's certificate: reported, and not retried.
    func certificateRejected(_ token: ConnectionStateMachine.Token, reason: String) {
        sockets.removeValue(forKey: token)
        perform(machine.certificateRejected(token, reason: reason, at: .now))
    }

    /// Handles one text message from the gateway. Anything malformed is reported and otherwise ignored: a hostile or
    /// broken gateway cannot make the client crash or lose its state.
    func received(_ text: String, on token: ConnectionStateMachine.Token) {
        guard machine.isLive(token) else { return }
        let frame: ServerFrame
        let keepsHistory: Bool
        do {
            (frame, keepsHistory) = try ServerFrame.decode(bytes: text.utf8)
        } catch {
            emit(.error(code: error.code, message: "the gateway sent a frame we could not read: \(error.message)"))
            return
        }
        // The grant-time history comes right after the grant or not at all: room traffic first means none is coming.
        // (A session that ends first settles nothing: the next resume will look again.)
        switch frame {
        case .clientStateChanged, .message: carryOut(history.noGrantPage())
        case .history, .accessGranted, .accessDenied, .connectionClosed, .error: break
        }
        switch frame {
        case .accessGranted(_, _, let clients):
            let actions = machine.received(frame, on: token, at: .now)
            // A grant the state machine does not take (one already came on this socket) must not replace the roster.
            guard !actions.isEmpty else {
                return emit(.error(code: .badFrame, message: "the gateway sent ACCESS_GRANTED again mid-session; ignored"))
            }
            perform(actions)
            peers.apply(snapshot: clients, excluding: phoneNumber) { emit(.clientState($0.reported)) }
            emit(.rosterSynced(peers: peers.count))
            carryOut(history.granted(keepsHistory: keepsHistory))
        case .accessDenied, .connectionClosed:
            perform(machine.received(frame, on: token, at: .now))
        case .clientStateChanged(let clients):
            guard case .accessGranted = machine.state else { return }
            for client in clients where client.phoneNumber != phoneNumber {
                if let change = peers.apply(change: client) { emit(.clientState(change.reported)) }
            }
        case .message(let message):
            if history.live(message) { emit(.message(message)) }
        case .history(let page):
            guard case .accessGranted = machine.state else { return }
            if history.awaitingGrantPage {
                carryOut(history.grantPage(page))
            } else {
                let batch = HistoryBatch(
                    kind: .older, messages: page.messages, more: page.more, oldestID: page.messages.first?.id, before: page.before)
                emit(.history(batch))
            }
        case .error(let code, let message, let nonce):
            // An error naming one of our messages by its nonce refuses that message: it is undelivered, not pending.
            if let nonce, let refused = history.refused(nonce) {
                emit(.undelivered(refused, reason: "\(code.rawValue): \(message)"))
            } else {
                emit(.error(code: code, message: message))
            }
        }
    }
}

extension OzClient {
    /// Carries out what the history tracker asks for: events, and frames for the live socket.
    func carryOut(_ outputs: [HistoryTracker.Output]) {
        for output in outputs {
            switch output {
            case .emit(let event): emit(event)
            case .send(let frame): liveSocket?.send(frame)
            }
        }
    }
}

extension RosterChange {
    /// The ClientInfo to report: ONLINE for a join or update, OFFLINE (with the last properties) for a leave.
    var reported: ClientInfo {
        switch self {
        case .joined(let info), .updated(_, let info): info
        case .left(let info):
            ClientInfo(phoneNumber: info.phoneNumber, status: .offline, properties: info.properties)
        }
    }
}
