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
    static let timeWidth = 9

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
        }
    }

    /// The entry wrapped to `width` columns, continuation rows indented under the text.
    public static func wrap(_ entry: LogEntry, width: Int) -> [LogLine] {
        let marker = marker(entry.kind)
        let full = "\(entry.time) \(marker) \(entry.text)"
        let indent = min(timeWidth + 2, width / 2)
        let rows = WordWrap.wrap(full, width: width, indent: indent)
        return rows.enumerated().map { index, text in
            index == 0
                ? LogLine(text: text, accentStart: timeWidth, accentWidth: DisplayWidth.of(marker))
                : LogLine(text: text, accentStart: 0, accentWidth: 0)
        }
    }

    /// How many rows all the entries take at this width.
    public static func totalLines(_ entries: [LogEntry], width: Int, cache: LogLineCache? = nil) -> Int {
        entries.reduce(0) { $0 + (cache?.lines(for: $1, width: width) ?? wrap($1, width: width)).count }
    }

    /// The `count` rows ending `offset` rows above the newest.
    public static func visible(_ entries: [LogEntry], width: Int, count: Int, offset: Int, cache: LogLineCache? = nil) -> [(LogLine, LogEntry)] {
        var rows: [(LogLine, LogEntry)] = []
        let needed = count + offset
        for entry in entries.reversed() {
            let wrapped = cache?.lines(for: entry, width: width) ?? wrap(entry, width: width)
            rows.insert(contentsOf: wrapped.map { ($0, entry) }, at: 0)
            if rows.count >= needed { break }
        }
        let end = max(0, rows.count - offset)
        return Array(rows[max(0, end - count)..<end])
    }
}

/// Remembers how entries wrapped, so a frame re-wraps only the entries that are new or changed (a growing presence
/// burst) instead of every visible one. Keyed by the entry itself and the width; bounded (a few screenfuls: entries
/// that scrolled away are not drawn again soon), and emptied when full.
/// Used from the UI thread only.
public final class LogLineCache: @unchecked Sendable {
    private struct Key: Hashable {
        var entry: LogEntry
        var width: Int
    }

    private var lines: [Key: [LogLine]] = [:]
    private let limit: Int

    public init(limit: Int = 1024) {
        self.limit = limit
    }

    func lines(for entry: LogEntry, width: Int) -> [LogLine] {
        let key = Key(entry: entry, width: width)
        if let known = lines[key] { return known }
        if lines.count >= limit { lines.removeAll(keepingCapacity: true) }
        let wrapped = LogLines.wrap(entry, width: width)
        lines[key] = wrapped
        return wrapped
    }
}
