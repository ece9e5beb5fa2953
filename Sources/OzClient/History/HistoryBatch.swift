import OzProtocol

/// Stored room messages the gateway sent (OzWire v1.1), already cleared of messages this client has shown.
public struct HistoryBatch: Sendable, Hashable {
    /// Where the messages belong.
    public enum Kind: Sendable, Hashable {
        /// The room's newest messages, on joining it: shown before the live ones.
        case recent
        /// What was said while the connection was down (a rejoin of the same room, usually with `since`): they follow
        /// what was shown before.
        case resumed
        /// A page older than everything shown so far, answering ``OzClient/requestOlderHistory(before:limit:)``.
        case older
    }

    public var kind: Kind
    /// Oldest first.
    public var messages: [ChatMessage]
    /// Whether older stored messages exist before the first one the gateway sent.
    public var more: Bool
    /// The id of the oldest message the gateway sent (before any was skipped): the cursor for the next older page.
    public var oldestID: String?
    /// For an `.older` page, the `before` of the request it answers (echoed by the gateway).
    public var before: String?

    public init(kind: Kind, messages: [ChatMessage], more: Bool, oldestID: String?, before: String? = nil) {
        self.kind = kind
        self.messages = messages
        self.more = more
        self.oldestID = oldestID
        self.before = before
    }
}
