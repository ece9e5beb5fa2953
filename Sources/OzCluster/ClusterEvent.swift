import NIOCore

/// One room event as `oz_events` keeps it, in the room's order (`seq`, from the room's counter row, so commit order).
package struct ClusterEvent: Sendable {
    /// What happened.
    package enum Kind: Int16, Sendable {
        /// `number` came online; `body` is its ONLINE entry.
        case online = 0
        /// `number`'s session ended (it left, or its node died); `body` is its OFFLINE entry.
        case offline = 1
        /// `number`'s session was replaced by a newer login as the same extension; `body` is its OFFLINE entry.
        case replaced = 2
        /// A room message from `number`; `body` is the stored message object (OzWire v1.1 StoredMessage).
        case message = 3
        /// A private message from `number` to `target`; `body` is the message object.
        case privateMessage = 4
    }

    package var room: String
    package var seq: Int64
    package var kind: Kind
    package var number: String
    /// The recipient of a private message; empty otherwise.
    package var target: String
    /// The session the event is about (the sender's, the one that came or went): its node incarnation and number there.
    package var incarnation: Int64
    package var session: Int64
    /// Milliseconds since 1970.
    package var ts: Int64
    package var body: [UInt8]
}
