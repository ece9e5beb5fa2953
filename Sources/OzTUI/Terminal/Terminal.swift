/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Hashable, CustomStringConvertible {
    public var rows: Int
    public var columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    public var description: String { "\(columns)x\(rows)" }
}

/// The eight basic terminal colours (ncurses COLOR_BLACK … COLOR_WHITE).
public enum TerminalColor: Int, Sendable, Hashable, CaseIterable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How a run of text is drawn. With no colour support (or NO_COLOR) terminals ignore the colours and keep the rest.
public struct TextStyle: Sendable, Hashable {
    public var foreground: TerminalColor?
    public var background: TerminalColor?
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public var underline: Bool

    public init(
        foreground: TerminalColor? = nil, background: TerminalColor? = nil, bold: Bool = false, reverse: Bool = false, dim: Bool = false,
        underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }

    public static let plain = TextStyle()
}

/// The drawing surface the UI renders into: ncursesw in a real terminal, `InMemoryTerminal` in tests.
/// Text given to `draw` has already been sanitised and cut to fit by the caller; a terminal clips at its edge anyway.
public protocol Terminal: AnyObject {
    /// The current size.
    var size: TerminalSize { get }
    /// Whether colours will be shown (false without colour support or with NO_COLOR set).
    var supportsColor: Bool { get }
    /// Blanks the whole screen buffer (nothing is shown until `present`).
    func clear()
    /// Writes text starting at a cell; wide characters take two cells.
    func draw(_ text: String, row: Int, column: Int, style: TextStyle)
    /// Where the cursor rests after `present`, and whether it is visible.
    func setCursor(row: Int, column: Int, visible: Bool)
    /// Shows what was drawn, with the fewest terminal updates (ncurses' optimised refresh).
    func present()
}

/// A key press, decoded from the terminal.
public enum Key: Sendable, Hashable {
    /// Printable text (one grapheme, or several typed fast).
    case text(String)
    /// A bracketed paste (the terminal marked it `ESC[200~ … ESC[201~`): text to insert, never keys to obey. Line
    /// breaks in it are "\n"; other control characters may still be in it (the editor drops them).
    case paste(String)
    case enter, tab, backTab, backspace, delete, escape
    case left, right, up, down, home, end, pageUp, pageDown
    /// Control plus a letter, e.g. `.control("a")` for Ctrl-A (lowercase letter).
    case control(Character)
    /// Alt (Meta) plus a character, as terminals send it (ESC then the character): `.alt("2")`, `.alt("a")`.
    case alt(Character)
    case altLeft, altRight
    /// A mouse button pressed or the wheel turned (when mouse reporting is on).
    case mouse(MouseEvent)
    /// A function key, F1 … F12.
    case function(Int)
    /// The terminal changed size.
    case resize
}
