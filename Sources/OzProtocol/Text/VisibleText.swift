/// Makes untrusted text (from a peer or a gateway) safe to print: every control character becomes a visible
/// placeholder, so no one can move the cursor, clear the screen, set a window title, fake a line break or reorder text.
/// C0 controls and DEL use caret notation (`^[`, `^J`, `^?`); C1 controls, bidirectional overrides and isolates,
/// and other invisible format characters that could disguise text become `<U+XXXX>`.
public enum VisibleText {
    /// The text with every unsafe scalar replaced by its visible placeholder.
    public static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: placeholder(for: scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether a scalar must not reach a terminal as it is.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        // Bidi embeddings/overrides (LRE…RLO), isolates (LRI…PDI), marks (LRM, RLM, ALM).
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        // Line and paragraph separators would break a line on some terminals.
        case 0x2028, 0x2029: true
        // Interlinear annotations and the object replacement character.
        case 0xFFF9...0xFFFB: true
        default: false
        }
    }

    /// The visible stand-in for an unsafe scalar.
    public static func placeholder(for scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x00...0x1F: "^" + String(Unicode.Scalar(UInt8(scalar.value) + 0x40))
        case 0x7F: "^?"
        default: "<U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4) + ">"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
