import Foundation

/// One wrapped row of the log pane: its text, and how many leading columns (the time and the nickname or marker) are
/// drawn in the entry's accent style.
public struct LogLine: Sendable, Equatable {
    public var text: String
    public var accentStart: Int
    public var accentWidth: Int
}

/// Turns log entries into the rows the log pane shows.
public enum LogLines {
    /// The marker or nickname before the text.
    static func marker(_ kind: LogEntry.Kind) -> String {
        switch kind {
        case .message(let nick, _, let isPrivate, let target, let isOwn):
            if isPrivate { return isOwn ? "-> *\(target ?? "?")*" : "*\(nick)*" }
            return "<\(nick)>"
        case .presence(let burst): return burst.marker
        case .state: return "-!-"
        case .info: return "-i-"
        case .error: return "-x-"
        case .marker, .unloaded: return "───"
        }
    }

    /// The text as drawn: a pending message ends in `…`, an undelivered one says so, a marker is a rule.
    static func text(_ entry: LogEntry) -> String {
        switch entry.origin {
        case .pending: return entry.text + " …"
        case .undelivered: return entry.text + " (not delivered)"
        case .live, .history:
            switch entry.kind {
            case .marker, .unloaded: return entry.text + " ───"
            default: return entry.text
            }
        }
    }

    /// The entry wrapped to `width` columns, continuation rows indented under the text.
    public static func wrap(_ entry: LogEntry, width: Int) -> [LogLine] {
        let marker = marker(entry.kind)
        let full = "\(entry.time) \(marker) \(text(entry))"
        // The time is ASCII: HH:mm:ss, or longer with a date for a stored message from another day.
        let timeWidth = entry.time.utf8.count + 1
        let indent = min(timeWidth + 2, width / 2)
        let rows = WordWrap.wrap(full, width: width, indent: indent)
        return rows.enumerated().map { index, text in
            index == 0
                ? LogLine(text: text, accentStart: timeWidth, accentWidth: DisplayWidth.of(marker))
                : LogLine(text: text, accentStart: 0, accentWidth: 0)
        }
    }

    /// How many rows all the entries take at this width (wraps every entry: for tests, not for drawing or scrolling).
    public static func totalLines(_ entries: [LogEntry], width: Int, cache: LogLineCache? = nil) -> Int {
        entries.reduce(0) { $0 + (cache?.lines(for: $1, width: width) ?? wrap($1, width: width)).count }
    }

    /// The `count` rows ending at `anchor` (nil: at the newest row), oldest first. `base` is the log's `dropped`, the
    /// index of `entries[0]` as anchors count. Wraps only the entries it shows, so it costs the same anywhere in the log.
    public static func visible(
        _ entries: [LogEntry], base: Int = 0, width: Int, count: Int, anchor: LogAnchor?, cache: LogLineCache? = nil
    ) -> [(LogLine, LogEntry)] {
        let scroller = LogScroller(entries: entries, base: base, width: width, cache: cache)
        guard count > 0, let end = anchor.flatMap(scroller.valid) ?? scroller.bottom else { return [] }
        var chunks: [ArraySlice<LogLine>] = []
        var index = end.entry - base
        var needed = count
        var lines = scroller.lines(index)
        var last = end.row
        while true {
            let first = max(0, last + 1 - needed)
            chunks.append(lines[first...last])
            needed -= last + 1 - first
            guard needed > 0, index > 0 else { break }
            index -= 1
            lines = scroller.lines(index)
            last = lines.count - 1
        }
        var rows: [(LogLine, LogEntry)] = []
        rows.reserveCapacity(count - needed)
        for (offset, chunk) in chunks.enumerated().reversed() {
            let entry = entries[end.entry - base - offset]
            for line in chunk { rows.append((line, entry)) }
        }
        return rows
    }
}

/// Remembers how entries wrapped, so a frame re-wraps only the entries that are new or changed (a growing presence
/// burst) instead of every visible one. Keyed by the entry itself and the width; bounded in two generations of `limit`
/// entries each: when the newer fills up, it becomes the older and the oldest are forgotten, and an entry found in the
/// older comes back into the newer. So the entries on screen stay cached however far the view scrolls, and a cache
/// that fills never empties itself at once. Used from the UI thread only.
public final class LogLineCache: @unchecked Sendable {
    private struct Key: Hashable {
        var entry: LogEntry
        var width: Int
    }

    private var recent: [Key: [LogLine]] = [:]
    private var older: [Key: [LogLine]] = [:]
    private let limit: Int

    public init(limit: Int = 1024) {
        self.limit = max(1, limit)
    }

    func lines(for entry: LogEntry, width: Int) -> [LogLine] {
        let key = Key(entry: entry, width: width)
        if let known = recent[key] { return known }
        let wrapped = older[key] ?? LogLines.wrap(entry, width: width)
        if recent.count >= limit {
            older = recent
            recent = Dictionary(minimumCapacity: limit)
        }
        recent[key] = wrapped
        return wrapped
    }
}
