/// Stable colours: the same nickname (or avatar URL) always gets the same colour, on every machine and every run.
public enum Palette {
    /// Colours that read well on both dark and light backgrounds.
    static let choices: [TerminalColor] = [.red, .green, .yellow, .blue, .magenta, .cyan]

    /// A colour chosen by a stable hash (FNV-1a, not Swift's per-process seeded `hashValue`).
    public static func color(for key: String) -> TerminalColor {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return choices[Int(hash % UInt32(choices.count))]
    }

    /// The colour of a connection state's word in the status bar.
    public static func color(forState wireName: String) -> TerminalColor {
        switch wireName {
        case "ACCESS_GRANTED": .green
        case "CONNECTING": .yellow
        default: .red
        }
    }
}
