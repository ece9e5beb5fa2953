import OzClient
import OzProtocol

/// What the input line does with pasted text.
///
/// A paste is text, never keys: its line breaks do not submit, and nothing in it runs as a command. It lands at the
/// cursor with its line breaks kept (drawn `↵`), and the editor remembers which graphemes were pasted. On Enter:
/// - the input is a command only when its first grapheme was typed and is a `/` (not `//`); such a line must be one
///   line, so a command holding pasted line breaks is refused with a hint (nothing is sent or run);
/// - any other input that holds pasted text or line breaks is sent as text, one message per line: a first line that
///   starts with a typed `//` loses one `/` (the usual escape), blank lines are skipped, and nothing is sent unless
///   every line fits the protocol's 1–4096 scalars and there are at most `maxLines` of them (otherwise a hint, and the
///   input stays for editing);
/// - input that was typed alone (no paste, no line breaks) goes through the command parser as before.
/// A paste too large for the input (`maxPasteScalars`) is refused whole, with a hint, and the input is left as it was.
public enum PastePolicy {
    /// The most messages one Enter sends (well under the gateway's default burst of 100 messages).
    public static let maxLines = 50
    /// The most Unicode scalars the input may hold after a paste: `maxLines` full messages and their line breaks.
    public static let maxPasteScalars = maxLines * (WireLimits.maxTextScalars + 1)
}

extension AppState {
    /// A bracketed paste into the input line (see `PastePolicy`).
    mutating func paste(_ text: String) {
        let total = editor.text.unicodeScalars.count + text.unicodeScalars.count
        guard total <= PastePolicy.maxPasteScalars else {
            append(
                .error,
                "paste refused: \(PresenceBurst.grouped(text.unicodeScalars.count)) characters; the input holds at most "
                    + "\(PresenceBurst.grouped(PastePolicy.maxPasteScalars)) (\(PastePolicy.maxLines) messages of "
                    + "\(PresenceBurst.grouped(WireLimits.maxTextScalars)))")
            return
        }
        editor.paste(text)
    }

    /// Enter on input that holds pasted text or line breaks: the effects, or nil when the input is typed text for the
    /// command parser. Refusals log a hint and keep the input.
    mutating func submitPasted() -> [AppEffect]? {
        let text = editor.text
        let typedCommand = text.hasPrefix("/") && !editor.isPasted(at: 0) && !text.hasPrefix("//")
        let lineBreaks = text.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
        if typedCommand {
            guard lineBreaks > 0 else { return nil }
            append(
                .error,
                "a command is one line, and this one holds \(lineBreaks) pasted line break\(lineBreaks == 1 ? "" : "s"): "
                    + "nothing was run (start the input with // to send it as text)")
            return []
        }
        guard editor.holdsPastedText || lineBreaks > 0 else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !editor.isPasted(at: 0), lines[0].hasPrefix("//") { lines[0].removeFirst() }
        lines = lines.filter { !$0.allSatisfy(\.isWhitespace) }
        guard !lines.isEmpty else { return [] }
        guard lines.count <= PastePolicy.maxLines else {
            append(.error, "not sent: \(lines.count) lines; one Enter sends at most \(PastePolicy.maxLines) messages (it is still in the input line)")
            return []
        }
        if let long = lines.firstIndex(where: { $0.unicodeScalars.count > WireLimits.maxTextScalars }) {
            append(
                .error,
                "not sent: line \(long + 1) has \(PresenceBurst.grouped(lines[long].unicodeScalars.count)) characters; a message holds at most "
                    + "\(PresenceBurst.grouped(WireLimits.maxTextScalars)) (it is still in the input line)")
            return []
        }
        guard canSendToRoom else {
            append(.error, "not connected: the message was not sent (it is still in the input line)")
            return []
        }
        history.record(editor.recallText)
        editor.clear()
        scrollToBottom()
        return lines.map { .send(text: $0, to: ClientFrame.room, window: actingID) }
    }
}
