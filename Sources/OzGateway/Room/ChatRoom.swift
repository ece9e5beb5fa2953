import Logging
import NIOCore
import OzProtocol

/// What a connection needs of its room. A `Room` keeps its state in this process; a cluster node's room (OzCluster)
/// keeps it in PostgreSQL and mirrors it here. Every method is called on the room's `eventLoop`.
package protocol ChatRoom: AnyObject, Sendable {
    var name: String { get }
    var eventLoop: any EventLoop { get }
    /// Admits a member (or denies it with `Member.deny`): its snapshot, then everything after its own ONLINE.
    func join(_ member: Member)
    /// Removes a member whose connection ended; a no-op if it was already replaced.
    func leave(_ member: Member)
    /// A message from a member, to the room (`ClientFrame.room`) or to one member.
    func post(from sender: Member, to recipient: String, text: String, nonce: String?)
    /// Answers a `history` request; `answer` gets the frame's JSON, or nil for an unknown `before` id.
    func answerHistory(_ query: HistoryQuery, answer: @escaping @Sendable ([UInt8]?) -> Void)
    /// Ends every member's session (gateway shutdown).
    func endAll(_ reason: CloseReason)
}

/// What a gateway hands a `RoomProvider` to build its rooms with.
package struct RoomSetup: Sendable {
    package let group: any EventLoopGroup
    package let configuration: GatewayConfiguration
    /// Each line's snapshot budget, by line name.
    package let budgets: [String: SnapshotBudget]
    /// Gives a drawn number back to the gateway's registry.
    package let releaseNumber: @Sendable (String) -> Void
    package let logger: Logger
}

/// Builds the rooms of a gateway whose rooms live elsewhere (a cluster node), and is told when the gateway has closed
/// every connection.
package protocol RoomProvider: Sendable {
    func makeRooms(_ setup: RoomSetup) -> [String: any ChatRoom]
    /// Called once every connection has closed at shutdown.
    func gatewayClosed() async
    /// Why the rooms cannot take logins now (nil: they can).
    var unavailableReason: String? { get }
}
