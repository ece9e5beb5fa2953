import Foundation
import Testing

@testable import OzTUI

/// Scrolling by anchor agrees with the log wrapped whole: the rows shown and the moves are those of the full list of
/// wrapped rows, whatever the entry sizes, the width and the position.
@Suite("Log scrolling")
struct LogScrollerTests {
    static func log(_ count: Int) -> [LogEntry] {
        let date = Date(timeIntervalSince1970: 1_795_780_800)
        return (0..<count).map { n in
            LogEntry(date: date, kind: .info, text: "\(n) " + String(repeating: "word ", count: (n * 7) % 23) + (n % 5 == 0 ? "你好世界" : ""))
        }
    }

    @Test(arguments: [41, 60, 97])
    func rowsAndMovesMatchTheWholeLogWrapped(width: Int) {
        let entries = Self.log(60)
        let base = 1_000  // as if 1,000 entries had been dropped
        let all = entries.enumerated().flatMap { index, entry in
            LogLines.wrap(entry, width: width).enumerated().map { (LogAnchor(entry: base + index, row: $0.offset), $0.element) }
        }
        let scroller = LogScroller(entries: entries, base: base, width: width)
        let cache = LogLineCache(limit: 8)  // small: generations turn over while scrolling
        #expect(scroller.bottom == all.last?.0)
        #expect(scroller.top == all.first?.0)
        for position in stride(from: 0, to: all.count, by: 3) {
            let anchor = all[position].0
            for count in [1, 7, 30] {
                let shown = LogLines.visible(entries, base: base, width: width, count: count, anchor: anchor, cache: cache)
                let expected = all[max(0, position + 1 - count)...position].map(\.1)
                #expect(shown.map(\.0) == Array(expected))
            }
            for step in [1, 5, 29] {
                let up = scroller.up(anchor, by: step)
                #expect(up.anchor == all[max(0, position - step)].0 && up.moved == min(step, position))
                let down = scroller.down(anchor, by: step)
                #expect(down.anchor == all[min(all.count - 1, position + step)].0 && down.moved == min(step, all.count - 1 - position))
            }
        }
        // Clamping: no higher than a view's height below the top; the newest row means following.
        #expect(scroller.clamped(all[2].0, height: 10) == all[9].0)
        #expect(scroller.clamped(all[all.count - 1].0, height: 10) == nil)
        #expect(scroller.clamped(LogAnchor(entry: 3, row: 0), height: 10) == all[9].0)  // a dropped entry: the top
        #expect(scroller.valid(LogAnchor(entry: base, row: 99)) == LogAnchor(entry: base, row: LogLines.wrap(entries[0], width: width).count - 1))
    }
}
