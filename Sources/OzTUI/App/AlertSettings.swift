import Foundation

/// What makes a message a highlight, and when the terminal bell rings (the config file's `highlights` and `bell`).
public struct AlertSettings: Sendable, Equatable {
    /// When the bell rings for a message in a window not on screen.
    public enum Bell: String, Sendable, Equatable, CaseIterable {
        /// For a message that highlights (the default).
        case highlight
        /// For every chat message.
        case all
        /// Never.
        case never
    }

    /// Words that highlight a message besides our nickname (matched as whole words, any case).
    public var words: [String]
    public var bell: Bell

    public init(words: [String] = [], bell: Bell = .highlight) {
        self.words = words
        self.bell = bell
    }

    /// Whether `text` names `nickname` or one of the words, as a whole word in any case: "ann:" and "@Ann" name Ann,
    /// "annual" does not.
    public func highlights(_ text: String, nickname: String) -> Bool {
        let folded = text.lowercased()
        for word in [nickname] + words where !word.isEmpty {
            if Self.containsWord(word.lowercased(), in: folded) { return true }
        }
        return false
    }

    /// `word` in `text` with no letter, digit or `_` right before or after it.
    static func containsWord(_ word: String, in text: String) -> Bool {
        var searchStart = text.startIndex
        while let found = text.range(of: word, range: searchStart..<text.endIndex) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !isWordCharacter(before), !isWordCharacter(after) { return true }
            searchStart = text.index(after: found.lowerBound)
        }
        return false
    }

    private static func isWordCharacter(_ character: Character?) -> Bool {
        guard let character else { return false }
        return character.isLetter || character.isNumber || character == "_"
    }
}
