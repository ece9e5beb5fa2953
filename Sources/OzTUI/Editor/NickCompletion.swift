/// Tab completion of nicknames, cycling through the matches on repeated Tab as irssi and WeeChat do.
///
/// The app keeps an optional completion next to the editor. On Tab: if there is none, `start` one from the editor and
/// the room's nicknames; then (if there is one) call `next`, which puts the first match in, and each further Tab the
/// following one, wrapping around. On any other key, drop the completion (set it to nil) before handling the key.
///
///     if completion == nil { completion = NickCompletion.start(editor: editor, candidates: nicks) }
///     completion?.next(editor: &editor)
public struct NickCompletion: Sendable, Equatable {
    /// The nicknames that start with the typed word (ignoring case), sorted ignoring case.
    public let matches: [String]
    /// The match in the line now (nil before the first `next`).
    public private(set) var current: Int?
    /// Where the completed word starts (a grapheme index).
    private let wordStart: Int
    /// How many graphemes the completion occupies in the line now (at first, the typed word).
    private var length: Int

    /// A completion of the word before the cursor, or nil if there is no word there or nothing matches it.
    public static func start(editor: LineEditor, candidates: [String]) -> NickCompletion? {
        let before = Array(editor.text.prefix(editor.cursor))
        var start = before.count
        while start > 0, before[start - 1] != " " { start -= 1 }
        let word = String(before[start...]).lowercased()
        guard !word.isEmpty else { return nil }
        var seen = Set<String>()
        let matches = candidates.filter { $0.lowercased().hasPrefix(word) && seen.insert($0).inserted }
            .sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) }
        guard !matches.isEmpty else { return nil }
        return NickCompletion(matches: matches, current: nil, wordStart: start, length: before.count - start)
    }

    /// Puts the next match in place of the word (or of the previous match), followed by ": " at the start of the line
    /// (addressing someone) or by a space elsewhere, with the cursor after it.
    public mutating func next(editor: inout LineEditor) {
        let index = current.map { ($0 + 1) % matches.count } ?? 0
        let end = min(wordStart + length, editor.text.count)
        guard wordStart <= end else { return }
        editor.replace(wordStart..<end, with: matches[index] + (wordStart == 0 ? ": " : " "))
        current = index
        length = editor.cursor - wordStart
    }
}
