import Foundation
import OzClient
import OzProtocol

/// Scrollback bounded only by the gateway's retention, in a log of bounded memory: paging back past the log's capacity
/// unloads stored messages far below the view (each run of up to a page becomes one `.unloaded` line that remembers the
/// id after it), and a line like that coming near the view is fetched again (`history` with `before` and `limit`);
/// refetched pages that overflow the log push out the oldest pages above the view, which PgUp loads again.
extension AppState {
    /// Entries below the view's bottom that stay loaded when older pages need room: two pages, or a quarter of a
    /// small log.
    var keptBelowView: Int { min(2 * Self.olderPageSize, log.capacity / 4) }

    /// Makes room for `needed` more entries by unloading stored messages at least `keptBelowView` entries below the
    /// view, the farthest first; false when nothing there can be unloaded.
    mutating func unloadBelowView(toFit needed: Int) -> Bool {
        let viewBottom = (scrollAnchor?.entry ?? log.lastIndex) - log.dropped
        let first = viewBottom + keptBelowView
        var chunks: [(positions: Range<Int>, before: String)] = []
        var saved = 0
        var end = log.count
        // Runs of stored messages, from the bottom up; the newest of each run stays, as the `before` of the one above.
        while saved < needed, end > first {
            var index = end - 1
            while index >= first, !Self.isStoredMessage(log.entries[index]) { index -= 1 }
            guard index > first, let runEnd = log.entries[index].id else { break }
            var next = runEnd
            var upper = index
            while upper > first, saved < needed, Self.isStoredMessage(log.entries[upper - 1]) {
                var lower = upper - 1
                while lower > first, upper - lower < Self.olderPageSize, Self.isStoredMessage(log.entries[lower - 1]) { lower -= 1 }
                chunks.append((lower..<upper, next))
                saved += upper - lower - 1
                next = log.entries[lower].id ?? next
                upper = lower
            }
            end = upper
            while end > first, Self.isStoredMessage(log.entries[end - 1]) { end -= 1 }
        }
        guard !chunks.isEmpty else { return false }
        // Bottom chunks first, so each chunk's positions still hold when it is replaced.
        for chunk in chunks {
            let date = log.entries[chunk.positions.upperBound - 1].date
            let line = LogEntry(date: date, kind: .unloaded(before: chunk.before, count: chunk.positions.count), origin: .history)
            log.replace(chunk.positions, with: [line])
            shiftIndices(after: log.dropped + chunk.positions.lowerBound, by: 1 - chunk.positions.count)
        }
        return true
    }

    /// Asks for the unloaded line nearest the view when one is within a page of it (one request at a time).
    mutating func refillNearView() -> [AppEffect] {
        guard !historyLoading, historyRefill == nil, case .accessGranted = connection, !log.entries.isEmpty else { return [] }
        let bottom = (scrollAnchor?.entry ?? log.lastIndex) - log.dropped
        let reach = max(1, layout.log.rows) + Self.olderPageSize / 2
        let range = max(0, bottom - reach)..<min(log.count, bottom + reach + 1)
        let nearest = range.filter { if case .unloaded = log.entries[$0].kind { true } else { false } }.min { abs($0 - bottom) < abs($1 - bottom) }
        guard let nearest, case .unloaded(let before, let count) = log.entries[nearest].kind else { return [] }
        historyRefill = before
        return [.requestHistory(before: before, limit: min(count, HistoryQuery.maxLimit), window: actingID)]
    }

    /// A page answering a refetch: the messages take the unloaded line's place; the oldest pages above the view make
    /// room when the log is over its capacity.
    mutating func refill(_ messages: [ChatMessage], before: String) {
        historyRefill = nil
        guard let position = log.entries.firstIndex(where: { $0.kind.isUnloaded(before: before) }) else { return }
        var lines = messages.map(historyEntry)
        if lines.isEmpty {
            lines = [LogEntry(date: log.entries[position].date, kind: .marker, text: "messages no longer stored here")]
        }
        log.replace(position..<(position + 1), with: lines)
        shiftIndices(after: log.dropped + position, by: lines.count - 1)
        trimAboveView()
    }

    /// The unloaded line `before` cannot be fetched (the gateway no longer has that message): it says so instead.
    mutating func refillFailed(before: String) {
        historyRefill = nil
        guard let position = log.entries.firstIndex(where: { $0.kind.isUnloaded(before: before) }) else { return }
        log.update(at: log.dropped + position) { $0 = LogEntry(date: $0.date, kind: .marker, text: "messages no longer stored here") }
    }

    /// Leaving the room: its unloaded lines can no longer be fetched, and say so.
    mutating func forgetUnloaded() {
        historyRefill = nil
        for position in log.entries.indices {
            guard case .unloaded(_, let count) = log.entries[position].kind else { continue }
            let text = "\(count == 1 ? "1 message" : "\(count) messages") of an earlier session not loaded"
            log.update(at: log.dropped + position) { $0 = LogEntry(date: $0.date, kind: .marker, text: text) }
        }
    }

    /// Over capacity: drops the oldest entries, up to a page above the view's top, so that the log starts at a stored
    /// message again (PgUp then fetches what was dropped).
    private mutating func trimAboveView() {
        guard log.count > log.capacity else { return }
        let rows = max(1, layout.log.rows)
        let scroller = logScroller
        guard let anchor = scrollAnchor.flatMap(scroller.valid) ?? scroller.bottom else { return }
        let viewTop = scroller.up(anchor, by: rows).anchor.entry - log.dropped
        var cut = min(log.count - log.capacity + Self.olderPageSize, viewTop - Self.olderPageSize)
        guard cut > 0 else { return }
        while cut < viewTop, !Self.isStoredMessage(log.entries[cut]) { cut += 1 }
        guard cut < viewTop, let oldest = log.entries[cut].id else { return }
        log.dropFirst(cut)
        historyOldestID = oldest
        historyMore = true
    }

    /// Moves every anchor index past `index` (a log index as anchors count) by `delta`: the scroll anchor, the
    /// pending messages' lines and the "new" marker.
    mutating func shiftIndices(after index: Int, by delta: Int) {
        guard delta != 0 else { return }
        if let anchor = scrollAnchor, anchor.entry > index { scrollAnchor?.entry = anchor.entry + delta }
        if let marker = windows[acting].newMarker, marker > index { windows[acting].newMarker = marker + delta }
        for (nonce, entry) in pendingEntries where entry > index { pendingEntries[nonce] = entry + delta }
    }

    static func isStoredMessage(_ entry: LogEntry) -> Bool {
        entry.origin == .history && entry.id != nil
    }
}

extension LogEntry.Kind {
    func isUnloaded(before id: String) -> Bool {
        if case .unloaded(let before, _) = self { return before == id }
        return false
    }
}
