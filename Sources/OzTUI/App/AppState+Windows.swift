import Foundation
import OzClient
import OzProtocol

/// Many rooms, one screen: opening, closing and switching windows, and what a window not on screen does with its
/// room's events (counts them for the room bar, marks where you left it, rings the bell for a highlight).
extension AppState {
    /// The text of the marker line above what arrived in a window while it was not shown.
    static let newMarkerText = "new"

    /// Runs `body` with `id`'s window as the acting one (see `acting`); nil when that window has closed.
    mutating func inWindow<T>(_ id: WindowID, _ body: (inout AppState) -> T) -> T? {
        guard let index = windows.firstIndex(where: { $0.id == id }) else { return nil }
        acting = index
        defer { acting = current }
        return body(&self)
    }

    /// Shows the window at `index`: the one left will mark where you left it, the one shown has no unseen activity.
    mutating func show(_ index: Int) {
        guard windows.indices.contains(index), index != current else { return }
        windows[current].markNewOnNextLine = true
        arrive(at: index)
    }

    /// Makes the window at `index` the shown one: nothing in it is unseen any more.
    private mutating func arrive(at index: Int) {
        current = index
        acting = index
        windows[index].activity = 0
        windows[index].highlights = 0
        windows[index].markNewOnNextLine = false
        completion = nil
        clampScroll()
        clampRosterScroll()
    }

    /// Opens a window for a room and shows it; returns its id.
    @discardableResult
    mutating func openWindow(savedName: String?, credentials: Credentials) -> WindowID {
        let id = WindowID(nextWindowID)
        nextWindowID += 1
        windows.append(RoomWindow(id: id, savedName: savedName, credentials: credentials, logCapacity: logCapacity))
        show(windows.count - 1)
        return id
    }

    /// Closes the shown window (its room was left); the previous window is shown. The last window is never closed.
    mutating func closeShownWindow() {
        guard windows.count > 1 else { return }
        let closing = current
        windows.remove(at: closing)
        arrive(at: max(0, closing - 1))
    }

    /// Alt-A: the next window after the shown one (wrapping) with a highlight, else with unseen messages; nil if none.
    var nextActiveWindow: Int? {
        let order = (1..<windows.count).map { (current + $0) % windows.count }
        return order.first { windows[$0].highlights > 0 } ?? order.first { windows[$0].activity > 0 }
    }

    /// Before a line goes into a window not on screen: the first since it was left puts the "new" marker above it
    /// (moving the old one there).
    mutating func markNewIfLeft() {
        guard actingInBackground, windows[acting].markNewOnNextLine else { return }
        windows[acting].markNewOnNextLine = false
        // The old marker goes (only if that line is still it: it may have scrolled out of the log's capacity).
        if let old = windows[acting].newMarker, case let position = old - log.dropped, log.entries.indices.contains(position),
            log.entries[position].kind == .marker, log.entries[position].text == Self.newMarkerText
        {
            log.replace(position..<(position + 1), with: [])
            shiftIndices(after: old, by: -1)
        }
        log.append(LogEntry(date: date, kind: .marker, text: Self.newMarkerText))
        windows[acting].newMarker = log.lastIndex
    }

    /// A chat message logged in the acting window: a highlight is marked; in a window not on screen it counts for the
    /// room bar and may ring the bell (returned as `ring`).
    mutating func noteMessage(own: Bool, text: String) -> Bool {
        guard !own else { return false }
        let highlight = alerts.highlights(text, nickname: credentials.nickname)
        if highlight { log.updateLast { $0.highlight = true } }
        guard actingInBackground else { return false }
        windows[acting].activity += 1
        if highlight { windows[acting].highlights += 1 }
        switch alerts.bell {
        case .all: return true
        case .highlight: return highlight
        case .never: return false
        }
    }

    /// `/rooms`: one line per window with its state, server and peer count.
    mutating func listWindows() {
        for (index, window) in windows.enumerated() {
            let state = window.connection?.wireName ?? "DISCONNECTED"
            let peers = window.roster.count == 1 ? "1 peer" : "\(window.roster.count) peers"
            let mark = index == current ? "*" : " "
            info("\(mark)\(index + 1):\(window.label) \(state) \(VisibleText.sanitize(window.serverText)) \(peers)")
        }
    }
}

extension AppState {
    /// `/join NAME`: the saved room's window when one is open, else a new window whose credentials are read first
    /// (`resolveSaved`); an unknown name is refused.
    mutating func openSaved(_ name: String) -> [AppEffect] {
        if let open = windows.firstIndex(where: { $0.savedName == name }) {
            show(open)
            return []
        }
        guard let servers = savedRooms[name] else {
            let known = savedRooms.keys.sorted()
            append(
                .error,
                VisibleText.sanitize(
                    "no saved room \(name)"
                        + (known.isEmpty ? " (the config file has none)" : ": the config file has \(known.joined(separator: ", "))")))
            return []
        }
        var credentials = credentials
        credentials.servers = servers
        credentials.token = ""
        credentials.password = ""
        let id = openWindow(savedName: name, credentials: credentials)
        info("reading the credentials of \(name)")
        return [.resolveSaved(name: name, window: id)]
    }

    /// `/part`: leaves the shown window's room and closes the window; the last window stays, disconnected, with its
    /// prompt open.
    mutating func partShownWindow() -> [AppEffect] {
        let id = shown.id
        guard windows.count > 1 else {
            form = CredentialsForm(credentials: credentials)
            return [.disconnect(window: id)]
        }
        closeShownWindow()
        return [.close(window: id)]
    }
}
