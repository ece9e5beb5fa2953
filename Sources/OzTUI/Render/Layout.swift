/// A rectangle of cells.
public struct Rect: Sendable, Hashable {
    public var row: Int
    public var column: Int
    public var rows: Int
    public var columns: Int

    public static let empty = Rect(row: 0, column: 0, rows: 0, columns: 0)
}

/// Where each pane goes at a given size: the room bar on top (when more than one window is open), the log on the left,
/// the roster on the right (when shown), a separator between, then the status bar and the input line at the bottom.
public struct Layout: Sendable, Hashable {
    /// Below this the UI shows a one-line notice instead of the panes.
    public static let minimum = TerminalSize(rows: 10, columns: 40)

    public let size: TerminalSize
    public let tooSmall: Bool
    public let log: Rect
    public let roster: Rect
    /// The column of the vertical separator, when the roster is shown.
    public let separator: Int?
    public let status: Rect
    public let input: Rect
    /// The room bar's row (nil when not shown).
    public let roomBar: Rect?

    /// `rosterNames` are the display names the roster will show; the roster is as wide as the longest needs,
    /// within 14 columns and a third of the screen.
    public init(size: TerminalSize, rosterVisible: Bool, rosterNames: some Sequence<String>, roomBar: Bool = false) {
        self.size = size
        tooSmall = size.rows < Self.minimum.rows || size.columns < Self.minimum.columns
        let top = roomBar ? 1 : 0
        self.roomBar = roomBar ? Rect(row: 0, column: 0, rows: 1, columns: size.columns) : nil
        let paneRows = max(0, size.rows - 2 - top)
        status = Rect(row: top + paneRows, column: 0, rows: 1, columns: size.columns)
        input = Rect(row: top + paneRows + 1, column: 0, rows: 1, columns: size.columns)
        if rosterVisible {
            var widest = 0
            for name in rosterNames { widest = max(widest, DisplayWidth.of(name)) }
            // badge (1) + space + name + space + number (5) + margins (2)
            let wanted = min(max(widest, 6), 24) + 10
            let width = min(wanted, max(14, size.columns / 3))
            roster = Rect(row: top, column: size.columns - width, rows: paneRows, columns: width)
            separator = size.columns - width - 1
            log = Rect(row: top, column: 0, rows: paneRows, columns: max(1, size.columns - width - 1))
        } else {
            roster = .empty
            separator = nil
            log = Rect(row: top, column: 0, rows: paneRows, columns: max(1, size.columns))
        }
    }
}
