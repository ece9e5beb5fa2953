import Foundation
import OzProtocol

/// Turns client events into the `--plain` mode's lines: `TIMESTAMP WORD fields…`, one event per line, greppable.
/// Every string from a peer or the gateway goes through `VisibleText.sanitize` first. Documented in the README.
public struct PlainFormatter: Sendable {
    /// Our own number in the current session (to mark our echoes), nil when not granted.
    public var myNumber: String?
    /// Our nickname, for our own messages.
    public var myNick: String
    /// Peers by number, for nicknames in message lines.
    public var peers: [String: ClientInfo] = [:]

    public init(myNick: String) {
        self.myNick = myNick
    }

    /// The lines for one event (usually one), updating what the formatter knows about peers and ourselves.
    public mutating func lines(for event: OzClientEvent, at date: Date = Date(), now: ContinuousClock.Instant = .now) -> [String] {
        let stamp = WireTimestamp.string(from: date)
        switch event {
        case .connectionState(let state):
            if case .accessGranted(let number, _) = state { myNumber = number } else { myNumber = nil }
            return ["\(stamp) \(Self.describe(state, date: date, now: now))"]
        case .clientState(let info):
            if info.status == .online { peers[info.phoneNumber] = info } else { peers[info.phoneNumber] = nil }
            return ["\(stamp) \(info.status.rawValue) \(Self.safe(info.phoneNumber)) \(Self.safe(info.displayName))"]
        case .rosterSynced:
            return []
        case .roomLeft(let left):
            peers.removeAll()
            return left.map { "\(stamp) \($0.status.rawValue) \(Self.safe($0.phoneNumber)) \(Self.safe($0.displayName))" }
        case .message(let message):
            let fromMe = message.from == myNumber
            let nick = fromMe ? myNick : peers[message.from]?.displayName ?? Self.senderName(message)
            let text = Self.safe(message.text)
            if message.isRoomMessage { return ["\(stamp) <\(Self.safe(nick))> \(text)"] }
            if fromMe {
                let target = peers[message.to]?.displayName ?? message.to
                return ["\(stamp) [private to \(Self.safe(target))] <\(Self.safe(nick))> \(text)"]
            }
            return ["\(stamp) [private] <\(Self.safe(nick))> \(text)"]
        case .error(let code, let message):
            return ["\(stamp) ERROR code=\(Self.safe(code.rawValue)) message=\(Self.quoted(message))"]
        case .history(let batch):
            return batch.messages.map(historyLine)
        case .gap:
            return ["\(stamp) GAP some messages were missed while the connection was down"]
        case .pending, .confirmed:
            return []  // the echo's line is the receipt
        case .undelivered(let message, let reason):
            let target = message.isRoomMessage ? "" : " to \(Self.safe(peers[message.to]?.displayName ?? message.to))"
            return ["\(stamp) INFO not delivered\(target): \(Self.safe(message.text)) (\(Self.safe(reason)))"]
        }
    }

    /// `TS HISTORY <Nick> text` for a stored room message, stamped with its own time (in the live lines' format) and
    /// named by the properties it was sent with (the sender may have left or be someone we never saw).
    func historyLine(_ message: ChatMessage) -> String {
        let stamp = WireTimestamp.date(from: message.ts).map { WireTimestamp.string(from: $0) } ?? Self.safe(message.ts)
        return "\(stamp) HISTORY <\(Self.safe(Self.senderName(message)))> \(Self.safe(message.text))"
    }

    /// The sender's Nickname as it sent the message (`fromProperties`), else its number.
    public static func senderName(_ message: ChatMessage) -> String {
        if case .string(let nick)? = message.fromProperties?["Nickname"], !nick.isEmpty { return nick }
        return message.from
    }

    /// A local notice (command feedback, help), as an `INFO` line.
    public func info(_ text: String, at date: Date = Date()) -> String {
        "\(WireTimestamp.string(from: date)) INFO \(Self.safe(text))"
    }

    static func describe(_ state: ConnectionState, date: Date, now: ContinuousClock.Instant) -> String {
        switch state {
        case .connecting(let attempt, let server):
            return "CONNECTING attempt=\(attempt) server=\(safe(server.description))"
        case .accessGranted(let number, let room):
            return "ACCESS_GRANTED number=\(safe(number)) room=\(safe(room))"
        case .accessDenied(let reason):
            return "ACCESS_DENIED reason=\(quoted(reason))"
        case .connectionFailed(let reason, let retry):
            return "CONNECTION_FAILED reason=\(quoted(reason)) \(retryText(retry, date: date, now: now))"
        case .connectionClosed(let end, let retry):
            return "CONNECTION_CLOSED reason=\(quoted(word(for: end))) \(retryText(retry, date: date, now: now))"
        }
    }

    /// The protocol's reason word where there is one (`shutdown`, `replaced`, …), else a short phrase.
    static func word(for end: SessionEnd) -> String {
        switch end {
        case .gateway(let reason): reason.rawValue
        case .socketLost(let why): "lost: \(why)"
        case .pongTimeout: "pong-timeout"
        case .userDisconnect: "user"
        }
    }

    static func retryText(_ retry: RetryPlan?, date: Date, now: ContinuousClock.Instant) -> String {
        guard let retry else { return "retry=none" }
        let seconds = Double(retry.remaining(at: now).components.attoseconds) / 1e18 + Double(retry.remaining(at: now).components.seconds)
        return String(format: "retry_in=%.2fs retry_at=%@", seconds, WireTimestamp.string(from: date.addingTimeInterval(seconds)))
    }

    static func safe(_ text: String) -> String { VisibleText.sanitize(text) }

    /// A value as a bare word when it is one, else double-quoted with `"` and `\` escaped (and controls made visible).
    static func quoted(_ text: String) -> String {
        let clean = VisibleText.sanitize(text)
        if !clean.isEmpty, !clean.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" || $0 == "=" }) { return clean }
        return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
