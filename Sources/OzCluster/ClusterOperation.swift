import OzProtocol

/// A change a node asks PostgreSQL for. The node's writer commits them in batches, one transaction per batch, in the
/// order they were asked; each gets its outcome after the commit (or `unavailable` when the commit failed).
package enum ClusterOperation: Sendable {
    case join(JoinRequest, reply: @Sendable (JoinOutcome) -> Void)
    /// A session ended: its OFFLINE is recorded unless it was already replaced or reaped.
    case leave(room: String, number: String, incarnation: Int64, session: Int64)
    case message(MessageRequest, reply: @Sendable (MessageOutcome) -> Void)
    /// The node's sessions in `room` are exactly `live`: any other of its incarnation's members there left (while
    /// PostgreSQL was unreachable, their leaves could not be recorded).
    case reconcile(room: String, incarnation: Int64, live: Set<Int64>)
    /// A dead incarnation's members leave every room (`rooms`: all the cluster's lines) and its node row goes.
    case reap(incarnation: Int64, rooms: [String], reply: @Sendable (Int) -> Void)

    /// The rooms whose counter rows the operation locks.
    var rooms: [String] {
        switch self {
        case .join(let request, _): [request.room]
        case .leave(let room, _, _, _), .reconcile(let room, _, _): [room]
        case .message(let request, _): [request.room]
        case .reap(_, let rooms, _): rooms
        }
    }

    /// Tells the asker the operation was not committed.
    func fail() {
        switch self {
        case .join(_, let reply): reply(.unavailable)
        case .message(_, let reply): reply(.unavailable)
        case .reap(_, _, let reply): reply(0)
        case .leave, .reconcile: break
        }
    }
}

/// A login for a room, checked against the whole cluster under the room's lock.
package struct JoinRequest: Sendable {
    package var room: String
    package var number: String
    /// A drawn number must not be anyone else's; an extension's number replaces its earlier session.
    package var drawn: Bool
    package var incarnation: Int64
    package var session: Int64
    package var online: [UInt8]
    package var offline: [UInt8]
    /// Most members (0: no limit), and most bytes of member list a snapshot may carry (see `SnapshotBudget`).
    package var memberLimit: Int
    package var memberListLimit: Int
    package var snapshotLimitText: String
}

/// What became of a join.
package enum JoinOutcome: Sendable {
    case joined(seq: Int64)
    case refused(String)
    case unavailable
}

/// A message from a session, to the room or to one member.
package struct MessageRequest: Sendable {
    package var room: String
    package var number: String
    package var incarnation: Int64
    package var session: Int64
    /// `ClientFrame.room` or a member's number.
    package var to: String
    package var text: String
    package var nonce: String?
    /// The sender's properties, stored with a room message.
    package var properties: JSONObject
}

/// What became of a message.
package enum MessageOutcome: Sendable {
    case accepted(seq: Int64)
    case unknownRecipient
    /// The sender is no longer a member (replaced or reaped meanwhile): dropped, as a single gateway drops it.
    case notMember
    case unavailable
}
