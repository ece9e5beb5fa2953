import OzProtocol

/// One of our own messages sent (or about to be resent) but not yet echoed by the gateway. Its random `nonce` travels
/// with it and comes back in every copy of it, live or in history, which is how a resumed session tells whether the
/// gateway accepted it before the connection dropped.
public struct OutgoingMessage: Sendable, Hashable {
    /// The random tag (``OzProtocol/MessageNonce``), the same in every attempt to send it.
    public var nonce: String
    /// `"*"` for the room, else a phoneNumber.
    public var to: String
    public var text: String
    /// Whether it went out on a socket at least once (the gateway may have it).
    var sent: Bool

    /// A message as sent (front ends and tests make these to stand for the client's).
    public init(nonce: String, to: String, text: String) {
        self.init(nonce: nonce, to: to, text: text, sent: true)
    }

    init(nonce: String, to: String, text: String, sent: Bool) {
        self.nonce = nonce
        self.to = to
        self.text = text
        self.sent = sent
    }

    /// Whether it was sent to the whole room (only room messages are kept in history).
    public var isRoomMessage: Bool { to == ClientFrame.room }
}
