import OzProtocol

/// The client's side of history and resume (OzWire v1.1), as a pure value the `OzClient` actor drives: what each
/// `connect` asks for, the cursor (the id of the last room message seen), the ids already shown, and our own messages
/// not yet echoed.
///
/// - The first `connect` to a room asks for its newest `newest` messages; every later one to the same room (a retry,
///   `/reconnect`, `/nick`) asks for everything `since` the cursor, or the newest again when no room message was seen.
///   A `connect` to another room forgets the cursor, the ids and the unsent messages (reported as undelivered).
/// - After a grant, our unechoed messages are settled once, from the grant-time `history` frame: one found there (by
///   its nonce) was accepted before the drop and is confirmed; any other is sent again, with the same nonce, exactly
///   once for that session. Messages sent while that frame is awaited wait behind them, so our order holds.
/// - Without a grant-time frame (a gateway that keeps no history), a message that went out on the lost socket cannot be
///   told apart from one that did not: it is reported as undelivered rather than risk a double.
struct HistoryTracker: Sendable {
    /// Something the client must do: report an event, or send a frame on the live socket.
    enum Output: Sendable, Equatable {
        case emit(OzClientEvent)
        case send(ClientFrame)
    }

    /// How many of the newest messages a join asks for (0–500).
    let newest: Int
    /// The room (server and token) the cursor and the unsent messages belong to.
    private(set) var room: ConnectRequest?
    /// The id of the last room message seen, live or in a grant-time history frame.
    private(set) var cursor: String?
    private var seen: RecentIDs
    /// Our own messages not yet echoed, in the order they were sent.
    private(set) var pending: [OutgoingMessage] = []
    /// What the current attempt's `connect` asked for.
    private(set) var asked = HistoryRecall.none
    /// Between a grant that promises a grant-time `history` frame and that frame.
    private(set) var awaitingGrantPage = false
    /// Whether this session's unechoed messages were settled (sends then go out at once).
    private(set) var settled = false
    /// Whether a session in this room was granted before: then a grant-time page holds what was said meanwhile.
    private var joinedBefore = false
    /// Whether the current session rejoined the room (`joinedBefore` at its grant).
    private(set) var rejoining = false

    init(newest: Int, remembering capacity: Int = 4096) {
        self.newest = min(max(0, newest), HistoryRecall.maxNewest)
        seen = RecentIDs(capacity: capacity)
    }

    /// A `connect` to `request`: another room starts afresh, and its unsent messages are returned (undelivered).
    mutating func entering(_ request: ConnectRequest) -> [OutgoingMessage] {
        defer { room = request }
        guard let room, !room.isSameRoom(as: request) else { return [] }
        cursor = nil
        joinedBefore = false
        seen = RecentIDs(capacity: seen.capacity)
        let dropped = pending
        pending = []
        return dropped
    }

    /// What the `connect` being sent now asks for; a new attempt starts unsettled.
    mutating func recall() -> HistoryRecall {
        settled = false
        awaitingGrantPage = false
        if let cursor {
            asked = .since(cursor)
        } else if pending.contains(where: { $0.sent && $0.isRoomMessage }) {
            // Our unechoed message can only be found among the newest: ask for as many as allowed.
            asked = .newest(HistoryRecall.maxNewest)
        } else {
            asked = .newest(newest)
        }
        return asked
    }

    /// The session was granted; `keepsHistory` is the grant's `"history": true`.
    mutating func granted(keepsHistory: Bool) -> [Output] {
        rejoining = joinedBefore
        joinedBefore = true
        let expectsPage: Bool
        switch asked {
        case .none, .newest(0): expectsPage = false
        case .newest, .since: expectsPage = keepsHistory
        }
        if expectsPage {
            awaitingGrantPage = true
            return []
        }
        return settle(page: nil)
    }

    /// A frame other than the grant-time `history` came first: there will be none (the protocol puts it first).
    mutating func noGrantPage() -> [Output] {
        guard awaitingGrantPage else { return [] }
        awaitingGrantPage = false
        return settle(page: nil)
    }

    /// The grant-time `history` frame.
    mutating func grantPage(_ page: HistoryPage) -> [Output] {
        awaitingGrantPage = false
        var outputs: [Output] = []
        let resumed: Bool
        var limit = Int.max
        // A rejoin without a cursor (no room message seen yet) asked for the newest: those not shown were said meanwhile.
        switch asked {
        case .since: resumed = true
        case .newest: (resumed, limit) = (rejoining, newest)
        case .none: resumed = rejoining
        }
        if page.complete == false { outputs.append(.emit(.gap)) }
        var fresh: [ChatMessage] = []
        for message in page.messages where seen.insert(message.id) { fresh.append(message) }
        if let last = page.messages.last { cursor = last.id }
        let shown = Array(fresh.suffix(limit))
        if !shown.isEmpty || !resumed {
            let more = page.more || shown.count < page.messages.count
            let batch = HistoryBatch(kind: resumed ? .resumed : .recent, messages: shown, more: more, oldestID: shown.first?.id)
            outputs.append(.emit(.history(batch)))
        }
        return outputs + settle(page: page)
    }

    /// Settles the unechoed messages against the grant-time page (nil: there is none).
    private mutating func settle(page: HistoryPage?) -> [Output] {
        settled = true
        let accepted = Set(page?.messages.compactMap(\.nonce) ?? [])
        var outputs: [Output] = []
        var kept: [OutgoingMessage] = []
        for var message in pending {
            if message.isRoomMessage, accepted.contains(message.nonce) {
                outputs.append(.emit(.confirmed(nonce: message.nonce)))
            } else if message.sent, !message.isRoomMessage {
                outputs.append(.emit(.undelivered(message, reason: "the connection dropped before the gateway confirmed this private message")))
            } else if message.sent, page == nil {
                outputs.append(
                    .emit(
                        .undelivered(
                            message, reason: "the connection dropped before the gateway confirmed it, and the gateway keeps no history to check")))
            } else {
                message.sent = true
                kept.append(message)
                outputs.append(.send(.message(to: message.to, text: message.text, nonce: message.nonce)))
            }
        }
        pending = kept
        return outputs
    }

    /// Our new message: it goes out at once when the session is settled (true), else it waits to be settled.
    mutating func send(text: String, to recipient: String, nonce: String = MessageNonce.random()) -> (OutgoingMessage, sendNow: Bool) {
        let message = OutgoingMessage(nonce: nonce, to: recipient, text: text, sent: settled)
        pending.append(message)
        return (message, settled)
    }

    /// Our new room message while the session is on its way back: it waits, unsent, and goes out once settled.
    mutating func queue(text: String, nonce: String = MessageNonce.random()) -> OutgoingMessage {
        let message = OutgoingMessage(nonce: nonce, to: ClientFrame.room, text: text, sent: false)
        pending.append(message)
        return message
    }

    /// The gateway refused our message with this nonce (an `error` naming it): no longer pending, and returned.
    mutating func refused(_ nonce: String) -> OutgoingMessage? {
        guard let index = pending.firstIndex(where: { $0.nonce == nonce }) else { return nil }
        return pending.remove(at: index)
    }

    /// A live message: false when it is one already shown. A room message moves the cursor; one carrying the nonce of
    /// an unechoed message of ours is its echo.
    mutating func live(_ message: ChatMessage) -> Bool {
        if let nonce = message.nonce, let index = pending.firstIndex(where: { $0.nonce == nonce }) { pending.remove(at: index) }
        guard message.isRoomMessage else { return true }
        cursor = message.id
        return seen.insert(message.id)
    }
}
