/// Where a scrolled-up log view rests: the entry whose row is at the bottom of the view, and which of its wrapped rows
/// that is. `entry` counts every entry the log ever held (`LogBuffer.dropped` plus the index in `entries`), so the
/// anchor stays put while new entries arrive and old ones are dropped; `row` is re-clamped when the width changes.
public struct LogAnchor: Sendable, Hashable {
    public var entry: Int
    public var row: Int

    public init(entry: Int, row: Int) {
        self.entry = entry
        self.row = row
    }
}

/// Moves through a log wrapped to one width by wrapping only the entries it passes over: a page up or down wraps a
/// screenful of entries, at the top of a full scrollback as at its bottom, and nothing ever wraps the whole log.
struct LogScroller {
    let entries: [LogEntry]
    /// The anchor index of `entries[0]`.
    let base: Int
    let width: Int
    let cache: LogLineCache?

    init(entries: [LogEntry], base: Int, width: Int, cache: LogLineCache? = nil) {
        self.entries = entries
        self.base = base
        self.width = width
        self.cache = cache
    }

    /// The rows of `entries[index]`.
    func lines(_ index: Int) -> [LogLine] {
        cache?.lines(for: entries[index], width: width) ?? LogLines.wrap(entries[index], width: width)
    }

    private func rows(_ index: Int) -> Int { lines(index).count }

    /// The newest row (nil for an empty log).
    var bottom: LogAnchor? {
        guard !entries.isEmpty else { return nil }
        return LogAnchor(entry: base + entries.count - 1, row: rows(entries.count - 1) - 1)
    }

    /// The oldest row (nil for an empty log).
    var top: LogAnchor? { entries.isEmpty ? nil : LogAnchor(entry: base, row: 0) }

    /// The nearest row that exists: an entry that was dropped gives the oldest row, a row past its entry's last (after
    /// a resize) that entry's last.
    func valid(_ anchor: LogAnchor) -> LogAnchor? {
        guard !entries.isEmpty else { return nil }
        if anchor.entry < base { return top }
        let index = min(anchor.entry - base, entries.count - 1)
        let row = index < anchor.entry - base ? Int.max : anchor.row
        return LogAnchor(entry: base + index, row: min(max(0, row), rows(index) - 1))
    }

    /// `anchor` moved `count` rows towards the oldest (stopping at it), and how many rows it moved.
    func up(_ anchor: LogAnchor, by count: Int) -> (anchor: LogAnchor, moved: Int) {
        var index = anchor.entry - base
        var row = anchor.row
        var left = count
        while left > 0 {
            if left <= row {
                row -= left
                left = 0
            } else if index == 0 {
                left -= row
                row = 0
                break
            } else {
                left -= row + 1
                index -= 1
                row = rows(index) - 1
            }
        }
        return (LogAnchor(entry: base + index, row: row), count - left)
    }

    /// `anchor` moved `count` rows towards the newest (stopping at it), and how many rows it moved.
    func down(_ anchor: LogAnchor, by count: Int) -> (anchor: LogAnchor, moved: Int) {
        var index = anchor.entry - base
        var row = anchor.row
        var left = count
        while left > 0 {
            let below = rows(index) - 1 - row
            if left <= below {
                row += left
                left = 0
            } else if index == entries.count - 1 {
                left -= below
                row += below
                break
            } else {
                left -= below + 1
                index += 1
                row = 0
            }
        }
        return (LogAnchor(entry: base + index, row: row), count - left)
    }

    /// Where a view of `height` rows ending at `anchor` rests once kept inside the log: no higher than the oldest
    /// `height` rows; nil when that is the newest row (the view follows new lines) or the log is shorter than the view.
    func clamped(_ anchor: LogAnchor, height: Int) -> LogAnchor? {
        guard var anchor = valid(anchor), let top else { return nil }
        let span = max(0, height - 1)
        if up(anchor, by: span).moved < span { anchor = down(top, by: span).anchor }
        return anchor == bottom ? nil : anchor
    }
}
