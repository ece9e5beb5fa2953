import Foundation
import OzClient
import OzProtocol

/// Draws an `AppState` into a `Terminal`: the whole screen each frame into ncurses' buffer, which then sends only the
/// cells that changed. Every string drawn was sanitised when it entered the state.
public enum Renderer {
    /// `cache` keeps wrapped log entries between frames (pass the same one each frame; without it, every frame wraps).
    public static func render(_ state: AppState, into terminal: any Terminal, cache: LogLineCache? = nil) {
        terminal.clear()
        let layout = Layout(
            size: terminal.size, rosterVisible: state.rosterVisible, rosterNames: state.rosterNames, roomBar: state.windows.count > 1)
        if layout.tooSmall {
            let notice = "ozchat needs \(Layout.minimum.columns)x\(Layout.minimum.rows) (now \(terminal.size))"
            terminal.draw(DisplayWidth.prefix(notice, fitting: terminal.size.columns), row: 0, column: 0, style: TextStyle(bold: true))
            terminal.setCursor(row: 0, column: 0, visible: false)
            terminal.present()
            return
        }
        drawLog(state, layout.log, terminal, cache: cache)
        if let separator = layout.separator {
            for row in 0..<layout.roster.rows {
                terminal.draw("│", row: layout.roster.row + row, column: separator, style: TextStyle(dim: true))
            }
            drawRoster(state, layout.roster, terminal)
        }
        if let bar = layout.roomBar { RoomBarView.draw(state, bar, terminal) }
        drawStatus(state, layout.status, terminal)
        if let form = state.form {
            FormView.draw(form, in: layout.log, terminal)
        } else {
            drawInput(state, layout.input, terminal)
        }
        terminal.present()
    }

    static func style(for kind: LogEntry.Kind) -> TextStyle {
        switch kind {
        case .message(_, let key, let isPrivate, _, let isOwn):
            TextStyle(foreground: Palette.color(for: key), bold: isOwn || isPrivate)
        case .presence(let burst):
            TextStyle(foreground: burst.leftCount == 0 ? .green : burst.joinedCount == 0 ? .red : .yellow)
        case .state(let wire): TextStyle(foreground: Palette.color(forState: wire), bold: true)
        case .info: TextStyle(foreground: .cyan)
        case .error: TextStyle(foreground: .red, bold: true)
        case .marker, .unloaded: TextStyle(dim: true)
        }
    }

    /// The style of a message's text: plain when said live, dim from history or while pending, red when undelivered.
    static func textStyle(for entry: LogEntry) -> TextStyle {
        guard case .message = entry.kind else { return style(for: entry.kind) }
        if entry.highlight { return TextStyle(foreground: .magenta, bold: true, dim: entry.origin == .history) }
        switch entry.origin {
        case .live: return .plain
        case .history, .pending: return TextStyle(dim: true)
        case .undelivered: return TextStyle(foreground: .red)
        }
    }

    static func drawLog(_ state: AppState, _ rect: Rect, _ terminal: any Terminal, cache: LogLineCache?) {
        let rows = LogLines.visible(
            state.log.entries, base: state.log.dropped, width: rect.columns, count: rect.rows, anchor: state.scrollAnchor, cache: cache)
        let top = rect.row + rect.rows - rows.count
        for (index, (line, entry)) in rows.enumerated() {
            let row = top + index
            if line.accentWidth > 0 {
                let time = DisplayWidth.prefix(line.text, fitting: line.accentStart)
                let afterTime = String(line.text.dropFirst(time.count))
                let accent = DisplayWidth.prefix(afterTime, fitting: line.accentWidth)
                let rest = String(afterTime.dropFirst(accent.count))
                terminal.draw(time, row: row, column: rect.column, style: TextStyle(dim: true))
                terminal.draw(accent, row: row, column: rect.column + DisplayWidth.of(time), style: style(for: entry.kind))
                terminal.draw(rest, row: row, column: rect.column + DisplayWidth.of(time) + DisplayWidth.of(accent), style: textStyle(for: entry))
            } else {
                terminal.draw(line.text, row: row, column: rect.column, style: textStyle(for: entry))
            }
            if let search = state.search, !search.query.isEmpty {
                drawMatches(of: search.query, in: line.text, row: row, column: rect.column, terminal)
            }
        }
        if let anchor = state.scrollAnchor {
            // How far up, in log lines (entries) below the view: known without wrapping what lies between.
            let below = max(0, state.log.dropped + state.log.count - 1 - anchor.entry)
            let up = below == 0 ? "scrolled up" : below == 1 ? "scrolled up 1 line" : "scrolled up \(PresenceBurst.grouped(below)) lines"
            let more = state.unseen > 0 ? " ▼ \(state.unseen) new, \(up) (End) " : " ▲ \(up) (End) "
            let text = DisplayWidth.prefix(more, fitting: rect.columns)
            terminal.draw(
                text, row: rect.row + rect.rows - 1, column: rect.column + rect.columns - DisplayWidth.of(text), style: TextStyle(reverse: true))
        }
    }

    /// Draws each occurrence of `query` (any case) in a log row over again, reversed: the search's matches.
    static func drawMatches(of query: String, in text: String, row: Int, column: Int, _ terminal: any Terminal) {
        let lowered = text.lowercased()
        // Lowercasing can change a string's length (İ); then matches are not marked on that row rather than misplaced.
        guard lowered.count == text.count else { return }
        let needle = query.lowercased()
        var start = lowered.startIndex
        while let found = lowered.range(of: needle, range: start..<lowered.endIndex) {
            let offset = lowered.distance(from: lowered.startIndex, to: found.lowerBound)
            let length = lowered.distance(from: found.lowerBound, to: found.upperBound)
            let before = String(text.prefix(offset))
            let match = String(text.dropFirst(offset).prefix(length))
            terminal.draw(match, row: row, column: column + DisplayWidth.of(before), style: TextStyle(reverse: true))
            start = found.upperBound
        }
    }

    static func drawRoster(_ state: AppState, _ rect: Rect, _ terminal: any Terminal) {
        guard rect.rows > 0 else { return }
        let count = state.roster.count + (state.me == nil ? 0 : 1)
        let header = " #\(state.room ?? "-") · \(count)"
        terminal.draw(
            DisplayWidth.prefix(header, fitting: rect.columns), row: rect.row, column: rect.column, style: TextStyle(bold: true, underline: true))
        let available = rect.rows - 1
        let (people, hiddenBelow) = rosterRows(state, available: available)
        for (index, (peer, isMe)) in people.prefix(available).enumerated() {
            let row = rect.row + 1 + index
            if index == available - 1, hiddenBelow > 0 {
                terminal.draw(
                    DisplayWidth.prefix(" ↓ \(hiddenBelow + 1) more", fitting: rect.columns), row: row, column: rect.column,
                    style: TextStyle(dim: true))
                break
            }
            drawRosterRow(peer, isMe: isMe, stale: state.myNumber == nil, row: row, rect: rect, terminal)
        }
    }

    /// The people on the roster pane's rows under its header (ourselves first, marked), from the scroll position, and
    /// how many are below the last row.
    static func rosterRows(_ state: AppState, available: Int) -> (people: [(ClientInfo, Bool)], hiddenBelow: Int) {
        var people: [(ClientInfo, Bool)] = []
        if let me = state.me { people.append((me, true)) }
        let count = state.roster.count + people.count
        let start = min(state.rosterScroll, max(0, state.roster.count + people.count - available))
        let rosterStart = max(0, start - people.count)
        people = Array(people.dropFirst(start))
        people += state.roster.elements(in: rosterStart..<(rosterStart + available)).map { ($0, false) }
        return (Array(people.prefix(available)), max(0, count - start - available))
    }

    /// `stale`: we are not connected, so the row is who was here when we last were; it is drawn dim, without colour.
    static func drawRosterRow(_ peer: ClientInfo, isMe: Bool, stale: Bool = false, row: Int, rect: Rect, _ terminal: any Terminal) {
        let name = VisibleText.sanitize(peer.displayName)
        let number = VisibleText.sanitize(peer.phoneNumber)
        let badge = Badge(for: peer)
        terminal.draw(badge.text, row: row, column: rect.column + 1, style: stale ? TextStyle(dim: true) : badge.style)
        let numberText = DisplayWidth.prefix(number, fitting: 6)
        let nameSpace = max(1, rect.columns - 5 - DisplayWidth.of(numberText))
        var shown = name + (isMe ? "*" : "")
        if DisplayWidth.of(shown) > nameSpace { shown = DisplayWidth.prefix(shown, fitting: nameSpace - 1) + "…" }
        terminal.draw(shown, row: row, column: rect.column + 4, style: TextStyle(bold: isMe, dim: stale))
        terminal.draw(numberText, row: row, column: rect.column + rect.columns - DisplayWidth.of(numberText), style: TextStyle(dim: true))
    }

    static func drawStatus(_ state: AppState, _ rect: Rect, _ terminal: any Terminal) {
        let bar = TextStyle(reverse: true)
        terminal.draw(String(repeating: " ", count: rect.columns), row: rect.row, column: 0, style: bar)
        let stateWord = state.connection?.wireName ?? "DISCONNECTED"
        var column = 0
        let word = " \(stateWord) "
        terminal.draw(
            word, row: rect.row, column: column, style: TextStyle(foreground: .black, background: Palette.color(forState: stateWord), bold: true))
        column += DisplayWidth.of(word)
        var parts: [String] = []
        if let connection = state.connection {
            switch connection {
            case .accessDenied(let reason): parts.append(VisibleText.sanitize(reason) + " (F2)")
            case .connectionFailed, .connectionClosed:
                if let reason = connection.reason { parts.append(VisibleText.sanitize(reason)) }
                if let retry = connection.retry {
                    parts.append("retry in \(Int(retry.remaining(at: state.now).seconds.rounded(.up)))s")
                } else {
                    parts.append("F2 to connect")
                }
            default: break
            }
        }
        parts.append(VisibleText.sanitize(state.serverText))
        parts.append(VisibleText.sanitize(state.credentials.nickname) + (state.myNumber.map { " (\(VisibleText.sanitize($0)))" } ?? ""))
        if state.myNumber != nil { parts.append(state.roster.count == 1 ? "1 peer online" : "\(state.roster.count) peers online") }
        let text = DisplayWidth.prefix(" " + parts.joined(separator: " │ "), fitting: max(0, rect.columns - column))
        terminal.draw(text, row: rect.row, column: column, style: bar)
    }

    static func drawInput(_ state: AppState, _ rect: Rect, _ terminal: any Terminal) {
        if let search = state.search {
            let prompt = search.failed ? "(no match) search: " : "search (Ctrl-R older, Enter stays, Esc back): "
            let label = DisplayWidth.prefix(prompt, fitting: max(0, rect.columns - 2))
            terminal.draw(label, row: rect.row, column: 0, style: TextStyle(foreground: search.failed ? .red : .cyan, bold: true))
            let room = max(1, rect.columns - DisplayWidth.of(label) - 1)
            var query = search.query
            while DisplayWidth.of(query) > room { query.removeFirst() }
            terminal.draw(query, row: rect.row, column: DisplayWidth.of(label), style: .plain)
            terminal.setCursor(row: rect.row, column: DisplayWidth.of(label) + DisplayWidth.of(query), visible: true)
            return
        }
        let prompt = "> "
        terminal.draw(prompt, row: rect.row, column: 0, style: TextStyle(bold: true))
        var editor = state.editor
        let view = editor.layout(width: max(1, rect.columns - prompt.count))
        terminal.draw(view.visible, row: rect.row, column: prompt.count, style: .plain)
        terminal.setCursor(row: rect.row, column: prompt.count + view.cursorColumn, visible: true)
    }
}

/// The roster's avatar badge: the nickname's initial on a colour derived from the Avatar URL (so the same avatar always
/// looks the same), or a neutral dot without one.
public struct Badge: Sendable, Equatable {
    public var text: String
    public var style: TextStyle

    public init(for peer: ClientInfo) {
        guard let avatar = peer.avatar else {
            text = "· "
            style = TextStyle(dim: true)
            return
        }
        let initial = VisibleText.sanitize(peer.displayName).first.map { String($0).uppercased() } ?? "?"
        // Two cells: a narrow initial is padded, a wide one (李) fills both.
        switch DisplayWidth.of(initial) {
        case 1: text = initial + " "
        case 2: text = initial
        default: text = "? "
        }
        style = TextStyle(foreground: .black, background: Palette.color(for: avatar), bold: true)
    }
}
