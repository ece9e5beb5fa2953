import Foundation
import OzProtocol
import Testing

@testable import OzClient

/// What a test's writer said through `onWarning`.
private final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var said: [String] = []

    func add(_ text: String) { lock.withLock { said.append(text) } }
    var all: [String] { lock.withLock { said } }
}

/// A stand-in for write(2) that fails with `code` while `failing`, counting its calls, and can hold the writer.
private final class DiskSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var failingCode: Int32 = 0
    private var calls = 0
    let entered = DispatchSemaphore(value: 0)
    /// When set, the next write signals `entered` and waits for it.
    private var gate: DispatchSemaphore?

    func fail(with code: Int32) { lock.withLock { failingCode = code } }
    func heal() { lock.withLock { failingCode = 0 } }
    func hold(until release: DispatchSemaphore) { lock.withLock { gate = release } }
    var callCount: Int { lock.withLock { calls } }

    var write: ChatLogFiles.Write {
        { [self] descriptor, bytes in
            let (code, gate) = lock.withLock {
                calls += 1
                let held = self.gate
                self.gate = nil
                return (failingCode, held)
            }
            if let gate {
                entered.signal()
                gate.wait()
            }
            return code != 0 ? code : ChatLogFiles.systemWrite(descriptor, bytes)
        }
    }
}

private func contents(_ path: String) -> String? {
    (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
}

/// 2026-11-27T12:00:00Z
private let noon = Date(timeIntervalSince1970: 1_795_780_800)

@Suite("Chat log writer")
struct ChatLogWriterTests {
    @Test func linesInOrderWithPrivateModes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let logs = temporary.path + "/state/ozchat/logs"
        let writer = ChatLogWriter(directory: logs) { _ in }
        let lines = (0..<2000).map { "2026-11-27T12:00:00.000Z <ann> line \($0)" }
        for line in lines { writer.append(date: noon, room: "work", line: line) }
        #expect(writer.close())
        let file = logs + "/work/2026-11-27.log"
        #expect(contents(file) == lines.map { $0 + "\n" }.joined())
        for folder in ["/state", "/state/ozchat", "/state/ozchat/logs", "/state/ozchat/logs/work"] {
            #expect(permissions(temporary.path + folder) == 0o700, "\(folder)")
        }
        #expect(permissions(file) == 0o600)
        writer.append(date: noon, room: "work", line: "after close")
        #expect(contents(file) == lines.map { $0 + "\n" }.joined())
    }

    @Test func oneEventStreamSplitsAtUTCMidnight() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let writer = ChatLogWriter(directory: temporary.path) { _ in }
        let beforeMidnight = Date(timeIntervalSince1970: 1_795_823_999.9)
        let afterMidnight = Date(timeIntervalSince1970: 1_795_824_000.1)
        writer.append(date: beforeMidnight, room: "work", line: "late")
        writer.append(date: afterMidnight, room: "work", line: "early")
        writer.append(date: afterMidnight, room: "other", line: "elsewhere")
        #expect(writer.flush(timeout: .seconds(10)))
        writer.append(date: beforeMidnight, room: "work", line: "late, delivered late")
        writer.append(date: afterMidnight, room: "work", line: "early 2")
        #expect(writer.close())
        #expect(contents(temporary.path + "/work/2026-11-27.log") == "late\nlate, delivered late\n")
        #expect(contents(temporary.path + "/work/2026-11-28.log") == "early\nearly 2\n")
        #expect(contents(temporary.path + "/other/2026-11-28.log") == "elsewhere\n")
    }

    @Test func aLineStaysOneLine() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let folder = temporary.path + "/work"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // A line an earlier run left cut short is ended before the next one; an existing file keeps its mode.
        _ = FileManager.default.createFile(atPath: folder + "/2026-11-27.log", contents: Data("cut sho".utf8), attributes: [.posixPermissions: 0o640])
        let writer = ChatLogWriter(directory: temporary.path) { _ in }
        writer.append(date: noon, room: "work", line: "a\nb\r\nc\rd\u{2028}e")
        writer.append(date: noon, room: "work", line: "ends with a newline\n")
        writer.append(date: noon, room: "work", line: "crlf\r\n")
        #expect(writer.close())
        #expect(contents(folder + "/2026-11-27.log") == "cut sho\na␤b␤c␤d␤e\nends with a newline\ncrlf\n")
        #expect(permissions(folder + "/2026-11-27.log") == 0o640)
    }

    @Test func unsafeRoomNamesAreRefusedOnce() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let warnings = Warnings()
        let writer = ChatLogWriter(directory: temporary.path + "/logs", onWarning: warnings.add)
        writer.append(date: noon, room: "../escape", line: "x")
        writer.append(date: noon, room: "../escape", line: "y")
        #expect(writer.close())
        #expect(warnings.all == ["not logging the room '../escape': not a safe directory name"])
        #expect(!FileManager.default.fileExists(atPath: temporary.path + "/escape"))
    }

    @Test func aFullDiskWarnsOnceDropsQuietlyAndRecovers() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let warnings = Warnings()
        let disk = DiskSwitch()
        let writer = ChatLogWriter(directory: temporary.path, capacity: 1 << 20, retryInterval: .zero, write: disk.write, onWarning: warnings.add)
        let file = temporary.path + "/work/2026-11-27.log"
        disk.fail(with: ENOSPC)
        for line in ["one", "two", "three"] {
            writer.append(date: noon, room: "work", line: line)
            #expect(writer.flush(timeout: .seconds(10)))
        }
        #expect(disk.callCount == 3)  // retried each time (retryInterval 0), but said once
        #expect(warnings.all == ["logging to \(file) failed: No space left on device; lines are dropped until it works again"])
        disk.heal()
        writer.append(date: noon, room: "work", line: "four")
        #expect(writer.close())
        #expect(warnings.all.count == 2)
        #expect(warnings.all.last == "logging to \(file) works again (3 lines were not logged)")
        #expect(contents(file) == "four\n")
    }

    @Test func afterAFailureLinesAreDroppedUntilTheRetry() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let warnings = Warnings()
        let disk = DiskSwitch()
        let writer = ChatLogWriter(
            directory: temporary.path, capacity: 1 << 20, retryInterval: .seconds(3600), write: disk.write, onWarning: warnings.add)
        disk.fail(with: EDQUOT)
        writer.append(date: noon, room: "work", line: "one")
        #expect(writer.flush(timeout: .seconds(10)))
        disk.heal()
        writer.append(date: noon, room: "work", line: "two")
        writer.append(date: noon, room: "other", line: "three")
        #expect(writer.close())
        #expect(disk.callCount == 1)
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.hasSuffix("failed: Disk quota exceeded; lines are dropped until it works again") == true)
    }

    @Test func devFullIsAFullDisk() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let folder = temporary.path + "/work"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/2026-11-27.log", withDestinationPath: "/dev/full")
        let warnings = Warnings()
        let writer = ChatLogWriter(directory: temporary.path, retryInterval: .zero, onWarning: warnings.add)
        writer.append(date: noon, room: "work", line: "one")
        #expect(writer.flush(timeout: .seconds(10)))
        writer.append(date: noon, room: "work", line: "two")
        #expect(writer.flush(timeout: .seconds(10)))
        #expect(warnings.all == ["logging to \(folder)/2026-11-27.log failed: No space left on device; lines are dropped until it works again"])
        try FileManager.default.removeItem(atPath: folder + "/2026-11-27.log")
        writer.append(date: noon, room: "work", line: "three")
        #expect(writer.close())
        #expect(warnings.all.last == "logging to \(folder)/2026-11-27.log works again (2 lines were not logged)")
        #expect(contents(folder + "/2026-11-27.log") == "three\n")
        #expect(permissions(folder + "/2026-11-27.log") == 0o600)
    }

    @Test func aFolderThatCannotBeMadeIsAFailureToo() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        _ = FileManager.default.createFile(atPath: temporary.path + "/logs", contents: Data())
        let warnings = Warnings()
        let writer = ChatLogWriter(directory: temporary.path + "/logs", retryInterval: .zero, onWarning: warnings.add)
        writer.append(date: noon, room: "work", line: "one")
        #expect(writer.flush(timeout: .seconds(10)))
        #expect(warnings.all == ["logging to \(temporary.path)/logs/work failed: Not a directory; lines are dropped until it works again"])
        try FileManager.default.removeItem(atPath: temporary.path + "/logs")
        writer.append(date: noon, room: "work", line: "two")
        #expect(writer.close())
        #expect(warnings.all.count == 2)
        #expect(contents(temporary.path + "/logs/work/2026-11-27.log") == "two\n")
    }

    @Test func aFullQueueDropsLinesAndSaysHowManyWhereTheGapIs() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let disk = DiskSwitch()
        let release = DispatchSemaphore(value: 0)
        disk.hold(until: release)
        let writer = ChatLogWriter(directory: temporary.path, capacity: 100, retryInterval: .zero, write: disk.write) { _ in }
        writer.append(date: noon, room: "r", line: "first")
        disk.entered.wait()  // the writer's thread is now inside write(2) with "first"
        let lines = (0..<10).map { "line \($0) " + String(repeating: "x", count: 13) }  // 20 bytes, 21 with the room
        for line in lines { writer.append(date: noon, room: "r", line: line) }
        release.signal()
        #expect(writer.flush(timeout: .seconds(10)))
        writer.append(date: noon, room: "r", line: "after")
        #expect(writer.close())
        let expected = ["first"] + lines.prefix(4) + ["2026-11-27T12:00:00.000Z INFO 6 lines were not logged (the log writer fell behind)", "after"]
        #expect(contents(temporary.path + "/r/2026-11-27.log") == expected.map { $0 + "\n" }.joined())
    }

    @Test func closingAnUnusedWriterIsImmediate() {
        let writer = ChatLogWriter(directory: "/nonexistent/never") { _ in }
        #expect(writer.flush(timeout: .seconds(1)))
        #expect(writer.close(timeout: .seconds(1)))
    }
}
