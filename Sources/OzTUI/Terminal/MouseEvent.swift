/// A mouse press or wheel turn, at a 0-based cell, decoded from xterm's SGR 1006 report `ESC [ < b ; x ; y M`.
public struct MouseEvent: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// The left button pressed.
        case click
        case wheelUp
        case wheelDown
    }

    public var action: Action
    public var row: Int
    public var column: Int

    public init(_ action: Action, row: Int, column: Int) {
        self.action = action
        self.row = row
        self.column = column
    }

    /// The event an SGR report (what follows ESC) stands for; nil for another sequence, a release, motion, or a button
    /// the UI does not use. Modifier bits (Shift 4, Meta 8, Ctrl 16) are ignored.
    public init?(sgr sequence: String) {
        guard sequence.hasPrefix("[<"), let final = sequence.last, final == "M" || final == "m" else { return nil }
        let fields = sequence.dropFirst(2).dropLast().split(separator: ";", omittingEmptySubsequences: false)
        guard fields.count == 3, let button = Int(fields[0]), let x = Int(fields[1]), let y = Int(fields[2]), x >= 1, y >= 1 else { return nil }
        guard final == "M", button & 32 == 0 else { return nil }  // a release, or motion
        switch button & ~(4 | 8 | 16) {
        case 0: action = .click
        case 64: action = .wheelUp
        case 65: action = .wheelDown
        default: return nil
        }
        row = y - 1
        column = x - 1
    }
}
