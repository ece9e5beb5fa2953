/// The room bar: one line on top listing the windows, `1:lobby 2:ops(3) 3:dev(!2)` — the shown window in reverse, a
/// count of unseen messages (or `!` and the highlights) after each other one, a room that is not connected dim.
public enum RoomBarView {
    /// One window's place on the bar.
    public struct Item: Sendable, Equatable {
        public var index: Int
        public var text: String
        public var column: Int
        public var style: TextStyle
    }

    /// The items that fit in `columns`, left to right; when they do not all fit, the first ones are left out until
    /// the shown window fits.
    public static func items(_ state: AppState, columns: Int) -> [Item] {
        var labels: [(Int, String, TextStyle)] = []
        for (index, window) in state.windows.enumerated() {
            var text = "\(index + 1):\(window.label)"
            if index != state.current {
                if window.highlights > 0 {
                    text += "(!\(window.highlights))"
                } else if window.activity > 0 {
                    text += "(\(window.activity))"
                }
            }
            let style: TextStyle =
                if index == state.current {
                    TextStyle(bold: true, reverse: true)
                } else if window.highlights > 0 {
                    TextStyle(foreground: .magenta, bold: true)
                } else if window.activity > 0 {
                    TextStyle(bold: true, dim: !window.isConnected)
                } else {
                    TextStyle(dim: !window.isConnected)
                }
            labels.append((index, " \(text) ", style))
        }
        var first = 0
        func width(from start: Int, through end: Int) -> Int {
            labels[start...end].reduce(0) { $0 + DisplayWidth.of($1.1) }
        }
        while first < state.current, width(from: first, through: state.current) > columns { first += 1 }
        var items: [Item] = []
        var column = 0
        for (index, text, style) in labels[first...] {
            let room = columns - column
            guard room > 0 else { break }
            let shown = DisplayWidth.of(text) <= room ? text : DisplayWidth.prefix(text, fitting: max(0, room - 1)) + "…"
            items.append(Item(index: index, text: shown, column: column, style: style))
            column += DisplayWidth.of(shown)
        }
        return items
    }

    static func draw(_ state: AppState, _ rect: Rect, _ terminal: any Terminal) {
        for item in items(state, columns: rect.columns) {
            terminal.draw(item.text, row: rect.row, column: rect.column + item.column, style: item.style)
        }
    }

    /// The window whose label is under `column`, for a mouse click on the bar.
    public static func window(at column: Int, _ state: AppState, columns: Int) -> Int? {
        items(state, columns: columns).first { column >= $0.column && column < $0.column + DisplayWidth.of($0.text) }?.index
    }
}
