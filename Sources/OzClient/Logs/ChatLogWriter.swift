import Foundation
import OzProtocol

/// Chat logs: one line per event appended to `DIRECTORY/ROOM/YYYY-MM-DD.log` (the event's UTC day, so a stream splits
/// at UTC midnight), folders 0700 and files 0600. Lines come formatted (`PlainFormatter`'s `--plain` lines); a line
/// break inside one becomes `␤` so that a line stays one line, and nothing else is changed.
///
/// `append` never blocks: it copies the line into a bounded queue that a thread of the writer's own drains, as ozgate's
/// `LogQueue` does. When the queue is full, lines are dropped and counted per room, and the room's file gets an `INFO`
/// line with the count where the gap is. A failing disk gives one warning through `onWarning`, then lines are dropped
/// quietly and the writer retries every `retryInterval`, saying once when it works again (see `ChatLogFiles`).
public final class ChatLogWriter: @unchecked Sendable {
    private struct Entry {
        var date: Date
        var room: String
        var line: String
    }

    private let capacity: Int
    private let retryInterval: Duration
    private let directory: String
    private let write: ChatLogFiles.Write
    private let onWarning: @Sendable (String) -> Void
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [Entry] = []
    private var pendingBytes = 0
    /// Per room: lines dropped since its last queued line, and the last one's date (where the count is written).
    private var dropped: [String: (count: Int, date: Date)] = [:]
    private var writing = false
    private var started = false
    private var closing = false
    private var finished = false

    /// - Parameters:
    ///   - directory: the log folder (`ClientConfigFile.logDirectory`); made 0700 with its missing parents on first use.
    ///   - capacity: bytes of lines that may wait; past it lines are dropped.
    ///   - retryInterval: how long lines are dropped after a failed write before the next try.
    ///   - onWarning: called on the writer's thread, once when writing fails and once when it works again.
    public convenience init(
        directory: String, capacity: Int = 1 << 20, retryInterval: Duration = .seconds(30),
        onWarning: @escaping @Sendable (String) -> Void
    ) {
        self.init(directory: directory, capacity: capacity, retryInterval: retryInterval, write: ChatLogFiles.systemWrite, onWarning: onWarning)
    }

    /// For tests: `write` stands in for write(2) (to fail as a full disk would).
    init(
        directory: String, capacity: Int, retryInterval: Duration, write: @escaping ChatLogFiles.Write,
        onWarning: @escaping @Sendable (String) -> Void
    ) {
        self.directory = directory
        self.capacity = capacity
        self.retryInterval = retryInterval
        self.write = write
        self.onWarning = onWarning
    }

    /// Queues `line` for the file of `room` (a directory name: a saved room's name or `ChatLogName.directory(…)`) and
    /// the UTC day of `date`. Returns at once; drops the line when the queue is full, and ignores it after `close()`.
    public func append(date: Date, room: String, line: String) {
        condition.lock()
        defer { condition.unlock() }
        if closing { return }
        if !started {
            started = true
            let thread = Thread { [self] in drain() }
            thread.name = "ozchat-chat-log"
            thread.start()
        }
        let size = line.utf8.count + room.utf8.count
        guard pendingBytes + size <= capacity else {
            dropped[room] = ((dropped[room]?.count ?? 0) + 1, date)
            condition.broadcast()
            return
        }
        // The count goes before the room's next line, in the file of the last dropped line's day.
        if let gap = dropped.removeValue(forKey: room) { pending.append(Self.droppedEntry(room: room, gap: gap)) }
        pending.append(Entry(date: date, room: room, line: line))
        pendingBytes += size
        condition.broadcast()
    }

    /// Waits up to `timeout` until every queued line has been written (or dropped by a failing disk); whether it emptied.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Self.seconds(timeout))
        condition.lock()
        defer { condition.unlock() }
        while started, !finished, writing || !pending.isEmpty || !dropped.isEmpty {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// Writes what is queued (waiting at most `timeout`), closes the files and ends the thread; later lines are ignored.
    /// Returns whether everything was written in time.
    @discardableResult
    public func close(timeout: Duration = .seconds(2)) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Self.seconds(timeout))
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while started, !finished {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// The writer thread: takes everything queued, writes it outside the lock grouped by file, and repeats.
    private func drain() {
        var files = ChatLogFiles(directory: directory, retryInterval: retryInterval, write: write, warn: onWarning)
        while true {
            condition.lock()
            while pending.isEmpty && dropped.isEmpty && !closing { condition.wait() }
            if pending.isEmpty && dropped.isEmpty {
                condition.unlock()
                break
            }
            var batch: [Entry] = []
            swap(&batch, &pending)
            pendingBytes = 0
            // Drops after a room's last queued line: their counts end the batch.
            for (room, gap) in dropped { batch.append(Self.droppedEntry(room: room, gap: gap)) }
            dropped = [:]
            writing = true
            condition.unlock()

            for group in Self.groups(batch) {
                files.append(room: group.room, day: group.day, bytes: group.bytes, count: group.count)
            }

            condition.lock()
            writing = false
            condition.broadcast()
            condition.unlock()
        }
        files.closeAll()
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The batch's lines joined per room and day, in the order each file first appears; lines keep their order.
    private static func groups(_ batch: [Entry]) -> [(room: String, day: String, bytes: [UInt8], count: Int)] {
        var groups: [(room: String, day: String, bytes: [UInt8], count: Int)] = []
        var index: [String: Int] = [:]
        for entry in batch {
            let day = ChatLogName.day(of: entry.date)
            let key = entry.room + "/" + day
            let position = index[key] ?? groups.count
            if position == groups.count {
                index[key] = position
                groups.append((entry.room, day, [], 0))
            }
            groups[position].bytes.append(contentsOf: oneLine(entry.line).utf8)
            groups[position].bytes.append(UInt8(ascii: "\n"))
            groups[position].count += 1
        }
        return groups
    }

    /// `line` without a trailing line break, and with every other line break (CR, LF, NEL, U+2028, U+2029, and the
    /// vertical tab and form feed that some tools treat as such) shown as `␤`.
    static func oneLine(_ line: String) -> String {
        var text = Substring(line)
        if text.last == "\n" || text.last == "\r\n" { text = text.dropLast() }
        guard text.unicodeScalars.contains(where: isLineBreak) else { return String(text) }
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            if scalar == "\n", previousWasCR { continue }
            out.append(isLineBreak(scalar) ? "\u{2424}" : scalar)
        }
        return String(out)
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    private static func droppedEntry(room: String, gap: (count: Int, date: Date)) -> Entry {
        let lines = gap.count == 1 ? "1 line was" : "\(gap.count) lines were"
        return Entry(
            date: gap.date, room: room, line: "\(WireTimestamp.string(from: gap.date)) INFO \(lines) not logged (the log writer fell behind)")
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
