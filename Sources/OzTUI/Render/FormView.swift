import OzProtocol

/// Draws the credentials prompt as a box over the log pane.
enum FormView {
    static let labelWidth = 10

    /// The width of a field's text box when the form is drawn over `area`.
    static func fieldWidth(in area: Rect) -> Int {
        max(1, min(area.columns, 64) - 2 - labelWidth - 2)
    }

    static func draw(_ form: CredentialsForm, in area: Rect, _ terminal: any Terminal) {
        let width = min(area.columns, 64)
        let height = CredentialsForm.Field.allCases.count + 5
        let top = area.row + max(0, (area.rows - height) / 2)
        let left = area.column + max(0, (area.columns - width) / 2)
        let border = TextStyle(bold: true)
        let inner = max(0, width - 2)
        terminal.draw("┌" + String(repeating: "─", count: inner) + "┐", row: top, column: left, style: border)
        for row in (top + 1)..<(top + height - 1) {
            terminal.draw("│" + String(repeating: " ", count: inner) + "│", row: row, column: left, style: border)
        }
        terminal.draw("└" + String(repeating: "─", count: inner) + "┘", row: top + height - 1, column: left, style: border)
        terminal.draw(DisplayWidth.prefix(" " + form.message, fitting: inner), row: top + 1, column: left + 1, style: TextStyle(bold: true))
        var cursor: (Int, Int) = (top, left)
        for field in CredentialsForm.Field.allCases {
            let row = top + 2 + field.rawValue
            let focused = field == form.focus
            terminal.draw(" " + field.label, row: row, column: left + 1, style: TextStyle(bold: focused))
            var editor = form.editors[field.rawValue]
            let fieldWidth = fieldWidth(in: area)
            let view = editor.layout(width: fieldWidth, masked: field.isMasked)
            let padded = view.visible + String(repeating: " ", count: max(0, fieldWidth - DisplayWidth.of(view.visible)))
            terminal.draw(padded, row: row, column: left + 1 + labelWidth, style: TextStyle(reverse: focused, underline: true))
            if focused { cursor = (row, left + 1 + labelWidth + view.cursorColumn) }
        }
        if let note = form.serversNote {
            let row = top + 2 + CredentialsForm.Field.allCases.count
            terminal.draw(
                DisplayWidth.prefix(" " + VisibleText.sanitize(note), fitting: max(0, inner - labelWidth)), row: row, column: left + 1 + labelWidth,
                style: TextStyle(dim: true))
        }
        let help = form.error.map { "! " + $0 } ?? "Enter connect · Tab next · Esc cancel · Ctrl-U clear"
        terminal.draw(
            DisplayWidth.prefix(" " + help, fitting: inner), row: top + height - 2, column: left + 1,
            style: TextStyle(foreground: form.error == nil ? nil : .red, dim: form.error == nil))
        terminal.setCursor(row: cursor.0, column: cursor.1, visible: true)
    }
}
