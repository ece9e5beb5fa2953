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

    private static let timeFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter
    }()
    private static let lock = NSLock()

    static func time(_ date: Date) -> String {
        lock.withLock { timeFormatter.string(from: date) }
    }

    /// The marker or nickname before the text.
    static func marker(_ kind: LogEntry.Kind) -> String {
        switch kind {
        case .message(let nick, _, let isPrivate, let target, let isOwn):
            if isPrivate { return isOwn ? "-> *\(target ?? "?")*" : "*\(nick)*" }
            return "<\(nick)>"
        case .join: return "-->"
        case .leave: return "<--"
        case .state: return "-!-"
        case .info: return "-i-"
        case .error: return "-x-"
        }
    }

    /// The entry wrapped to `width` columns, continuation rows indented under the text.
    public static func wrap(_ entry: LogEntry, width: Int) -> [LogLine] {
        let marker = marker(entry.kind)
        let full = "\(time(entry.date)) \(marker) \(entry.text)"
        let indent = min(timeWidth + 2, width / 2)
        let rows = WordWrap.wrap(full, width: width, indent: indent)
        return rows.enumerated().map { index, text in
            index == 0
                ? LogLine(text: text, accentStart: timeWidth, accentWidth: DisplayWidth.of(marker))
                : LogLine(text: text, accentStart: 0, accentWidth: 0)
        }
    }

    /// How many rows all the entries take at this width.
    public static func totalLines(_ entries: [LogEntry], width: Int) -> Int {
        entries.reduce(0) { $0 + wrap($1, width: width).count }
    }

    /// The `count` rows ending `offset` rows above the newest.
    public static func visible(_ entries: [LogEntry], width: Int, count: Int, offset: Int) -> [(LogLine, LogEntry)] {
        var rows: [(LogLine, LogEntry)] = []
        let needed = count + offset
        for entry in entries.reversed() {
            let wrapped = wrap(entry, width: width)
            rows.insert(contentsOf: wrapped.map { ($0, entry) }, at: 0)
            if rows.count >= needed { break }
        }
        let end = max(0, rows.count - offset)
        return Array(rows[max(0, end - count)..<end])
    }
}
