/// A terminal that draws into a grid of cells in memory: the headless twin of the ncursesw terminal, so the whole UI
/// renders and is tested without a real terminal. `text` shows the screen as lines; `styleAt` tells how a cell is drawn.
public final class InMemoryTerminal: Terminal {
    /// One screen cell: a grapheme, or "" for the right half of a wide character.
    public struct Cell: Sendable, Hashable {
        public var text: String
        public var style: TextStyle
    }

    public private(set) var size: TerminalSize
    public var supportsColor: Bool
    private var cells: [[Cell]]
    private var shown: [[Cell]]
    public private(set) var cursor: (row: Int, column: Int, visible: Bool) = (0, 0, false)
    /// How many times `present` was called (the number of redraws).
    public private(set) var presentCount = 0

    public init(size: TerminalSize, supportsColor: Bool = true) {
        self.size = size
        self.supportsColor = supportsColor
        cells = Self.blank(size)
        shown = cells
    }

    private static func blank(_ size: TerminalSize) -> [[Cell]] {
        Array(repeating: Array(repeating: Cell(text: " ", style: .plain), count: max(0, size.columns)), count: max(0, size.rows))
    }

    /// Changes the size, as a terminal resize does (the contents are lost until the next draw).
    public func resize(to size: TerminalSize) {
        self.size = size
        cells = Self.blank(size)
        shown = cells
    }

    public func clear() {
        cells = Self.blank(size)
    }

    public func draw(_ text: String, row: Int, column: Int, style: TextStyle) {
        guard row >= 0, row < size.rows else { return }
        var column = column
        let style = supportsColor ? style : TextStyle(bold: style.bold, reverse: style.reverse, dim: style.dim, underline: style.underline)
        for grapheme in text {
            let width = DisplayWidth.of(grapheme)
            if width == 0 {
                // A zero-width grapheme (a lone combining mark) joins the previous cell.
                if column > 0, column - 1 < size.columns { cells[row][column - 1].text.append(grapheme) }
                continue
            }
            guard column >= 0, column + width <= size.columns else { break }
            cells[row][column] = Cell(text: String(grapheme), style: style)
            if width == 2 { cells[row][column + 1] = Cell(text: "", style: style) }
            column += width
        }
    }

    public func setCursor(row: Int, column: Int, visible: Bool) {
        cursor = (row, column, visible)
    }

    public func present() {
        shown = cells
        presentCount += 1
    }

    /// The presented screen, one string per row (trailing spaces kept, so every row has the full width in cells).
    public var lines: [String] {
        shown.map { $0.map(\.text).joined() }
    }

    /// The presented screen as text, rows joined by newlines, trailing spaces trimmed.
    public var text: String {
        lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    /// The style of a presented cell.
    public func styleAt(row: Int, column: Int) -> TextStyle {
        shown[row][column].style
    }
}
