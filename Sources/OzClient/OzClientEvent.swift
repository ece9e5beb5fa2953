import OzProtocol

/// Everything an `OzClient` reports, in one stream and in the order it happened.
public enum OzClientEvent: Sendable, Equatable {
    /// The connection's state changed (`CONNECTING`, `ACCESS_GRANTED`, …, with reason and next retry).
    ///
    /// This case and `message` are `indirect` (boxed): they are rare or large, and an unboxed payload would make every
    /// event as big as the largest (88 bytes), which a UI queueing a 10,000-peer snapshot's events pays per event.
    indirect case connectionState(ConnectionState)
    /// One peer came ONLINE (or changed its properties) or went OFFLINE. After a grant, one per peer in the snapshot;
    /// after a reconnect, only the differences from what was reported before.
    case clientState(ClientInfo)
    /// The roster now matches the gateway's snapshot: follows the `clientState` events that a grant's snapshot caused,
    /// with the number of peers, so a UI can treat those as "already here" rather than as arrivals.
    case rosterSynced(peers: Int)
    /// A `connect` to another room (another server or token) ended the old room's membership at the moment of
    /// switching: these were its peers, each now `OFFLINE`. The client no longer tracks them, so the new room's grant
    /// reports all of its peers as present, and none of the old room's as having left "while you were away".
    case roomLeft(peers: [ClientInfo])
    /// A chat message, including the echo of our own (the delivery receipt).
    indirect case message(ChatMessage)
    /// The gateway rejected something we sent, or sent something we could not understand.
    case error(code: ErrorCode, message: String)
    /// Stored room messages (OzWire v1.1): the newest on joining, what was missed while the connection was down, or an
    /// older page asked for. Messages this client already showed are left out.
    indirect case history(HistoryBatch)
    /// A resume could not get everything said while the connection was down (too much, or the gateway lost its place):
    /// some messages were missed. Comes just before that resume's `history`.
    case gap
    /// One of our messages went out (or waits for the session to resume): shown as pending until its echo, a
    /// `message` (or a `history` entry) with the same nonce, or `confirmed`.
    indirect case pending(OutgoingMessage)
    /// A resumed history showed that the gateway accepted this pending message of ours before the connection dropped;
    /// it is not sent again.
    case confirmed(nonce: String)
    /// A pending message of ours that will not be sent again: we left its room, or whether the gateway got it cannot
    /// be told (see ``OzClient/send(_:to:)``).
    indirect case undelivered(OutgoingMessage, reason: String)
}

/// Why `send` refused a message before it reached the gateway.
public enum OzClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There is no granted session to send on.
    case notConnected
    /// The text is empty or longer than the protocol allows.
    case invalidText(scalars: Int)

    public var description: String {
        switch self {
        case .notConnected: "not connected"
        case .invalidText(let scalars): "a message must be 1–\(WireLimits.maxTextScalars) characters, not \(scalars)"
        }
    }
}
