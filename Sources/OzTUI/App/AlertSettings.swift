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
        var folded = text.lowercased()
        return folded.withUTF8 { bytes in
            for word in [nickname] + words where !word.isEmpty {
                if Self.containsWord(Array(word.lowercased().utf8), in: bytes) { return true }
            }
            return false
        }
    }

    /// `word` in `text` (both UTF-8) with no letter, digit or `_` right before or after it. On bytes rather than with
    /// Foundation's `range(of:)`, which bridges through NSString: that was most of the check's cost, run on every
    /// message of every room.
    static func containsWord(_ word: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = word.first, word.count <= text.count else { return false }
        var start = 0
        while start + word.count <= text.count {
            if text[start] == first, text[start..<(start + word.count)].elementsEqual(word), !isWordScalar(endingBefore: start, in: text),
                !isWordScalar(startingAt: start + word.count, in: text)
            {
                return true
            }
            start += 1
        }
        return false
    }

    /// Whether the scalar that ends just before byte `index` is a letter, digit or `_` (false at the start).
    private static func isWordScalar(endingBefore index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index > 0 else { return false }
        var lead = index - 1
        while lead > 0, text[lead] & 0xC0 == 0x80 { lead -= 1 }  // back over continuation bytes
        return isWordScalar(startingAt: lead, in: text)
    }

    /// Whether the scalar that starts at byte `index` is a letter, digit or `_` (false at the end).
    private static func isWordScalar(startingAt index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index < text.count else { return false }
        let byte = text[index]
        if byte < 0x80 {
            return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
        }
        var end = index + 1
        while end < text.count, text[end] & 0xC0 == 0x80 { end += 1 }
        guard let scalar = String(decoding: UnsafeBufferPointer(rebasing: text[index..<end]), as: UTF8.self).unicodeScalars.first else {
            return false
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
