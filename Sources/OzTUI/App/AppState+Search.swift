import Foundation
import OzClient
import OzProtocol

/// Ctrl-R: searching the shown window's log backwards, as a shell searches its history. The input line becomes the
/// search field; each key narrows the match, Ctrl-R again finds the next older one, Enter leaves the view at the match,
/// Esc (or Ctrl-G) returns to where the view was. The lines searched are the ones the window holds, fetched history
/// included (not the log files).
public struct LogSearch: Sendable, Equatable {
    public var query = ""
    /// The anchor index of the entry matched, nil when nothing matches (or nothing is typed yet).
    public var match: Int?
    /// Where the view was before the search (nil: following new lines), for Esc.
    var origin: LogAnchor?
    /// Whether the last search found nothing (the field says so).
    public var failed = false
}

extension AppState {
    /// Starts a search (Ctrl-R), or finds the next older match of the same text.
    mutating func startOrContinueSearch() {
        guard var search else {
            search = LogSearch(origin: scrollAnchor)
            return
        }
        guard !search.query.isEmpty else { return }
        seek(&search, atOrBefore: (search.match ?? (log.lastIndex + 1)) - 1)
    }

    /// Moves the search to the newest match at or before `index` and shows it, or marks the search failed.
    private mutating func seek(_ search: inout LogSearch, atOrBefore index: Int) {
        if let found = findMatch(search.query, atOrBefore: index) {
            search.match = found
            search.failed = false
            showMatch(found)
        } else {
            search.failed = true
        }
        self.search = search
    }

    /// A key while searching.
    mutating func handleSearch(_ key: Key) {
        guard var search else { return }
        switch key {
        case .control("r"):
            startOrContinueSearch()
            return
        case .enter:
            self.search = nil
            return
        case .escape, .control("g"), .control("c"):
            scrollAnchor = search.origin
            clampScroll()
            self.search = nil
            return
        case .text(let text), .paste(let text):
            search.query += VisibleText.sanitize(text)
        case .backspace:
            guard !search.query.isEmpty else { return }
            search.query.removeLast()
            // A shorter text matches at least where the longer one did: search again from the bottom.
            search.match = nil
        default:
            return
        }
        guard !search.query.isEmpty else {
            search.match = nil
            search.failed = false
            scrollAnchor = search.origin
            clampScroll()
            self.search = search
            return
        }
        // Narrowing: the match stays where it is while it still matches, else the next older one.
        seek(&search, atOrBefore: search.match ?? log.lastIndex)
    }

    /// The newest entry at or before anchor index `index` whose text or nickname holds `query` (any case).
    func findMatch(_ query: String, atOrBefore index: Int) -> Int? {
        let needle = query.lowercased()
        var position = min(index - log.dropped, log.count - 1)
        while position >= 0 {
            if Self.entry(log.entries[position], contains: needle) { return log.dropped + position }
            position -= 1
        }
        return nil
    }

    static func entry(_ entry: LogEntry, contains needle: String) -> Bool {
        if entry.text.lowercased().contains(needle) { return true }
        if case .message(let nick, _, _, _, _) = entry.kind { return nick.lowercased().contains(needle) }
        return false
    }

    /// Scrolls so the matched entry is in the middle of the view (or as near as the log's ends allow).
    private mutating func showMatch(_ index: Int) {
        let scroller = logScroller
        guard let anchor = scroller.valid(LogAnchor(entry: index, row: Int.max)) else { return }
        scrollAnchor = scroller.down(anchor, by: max(0, layout.log.rows / 2 - 1)).anchor
        clampScroll()
    }
}
