import OzClient
import OzProtocol

/// The mouse: the wheel scrolls the log (or the roster, over it), a click on the room bar shows that window, a click on
/// a roster name puts the nickname into the input line.
extension AppState {
    /// Rows one wheel step scrolls.
    static let wheelRows = 3

    mutating func handleMouse(_ event: MouseEvent) -> [AppEffect] {
        let layout = self.layout
        if let bar = layout.roomBar, event.row == bar.row {
            if event.action == .click, let index = RoomBarView.window(at: event.column - bar.column, self, columns: bar.columns) { show(index) }
            return []
        }
        if Self.contains(layout.roster, event) {
            switch event.action {
            case .wheelUp: rosterScroll = max(0, rosterScroll - Self.wheelRows)
            case .wheelDown:
                rosterScroll += Self.wheelRows
                clampRosterScroll()
            case .click: clickRoster(row: event.row - layout.roster.row)
            }
            return []
        }
        if Self.contains(layout.log, event) {
            switch event.action {
            case .wheelUp:
                scroll(by: Self.wheelRows)
                return loadOlderIfAtTop()
            case .wheelDown: scroll(by: -Self.wheelRows)
            case .click: break
            }
        }
        return []
    }

    static func contains(_ rect: Rect, _ event: MouseEvent) -> Bool {
        (rect.row..<(rect.row + rect.rows)).contains(event.row) && (rect.column..<(rect.column + rect.columns)).contains(event.column)
    }

    /// A click on roster row `row` (0: the header): that person's nickname goes into the input line, as Tab would put it.
    private mutating func clickRoster(row: Int) {
        guard row >= 1 else { return }
        let rows = Renderer.rosterRows(self, available: max(0, layout.roster.rows - 1))
        guard rows.people.indices.contains(row - 1) else { return }
        let name = rows.people[row - 1].0.displayName
        editor.insert(editor.text.isEmpty ? "\(name): " : "\(name) ")
    }
}
