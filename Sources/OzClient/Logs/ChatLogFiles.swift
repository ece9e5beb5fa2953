import Foundation
import OzProtocol

/// The file side of `ChatLogWriter`, used by its thread alone: one open file per room (its current day's), folders
/// made 0700 and files 0600 whatever the umask, and the failure state. A failed write (a full disk, a quota, EIO, a
/// folder that cannot be made) gives one warning; lines are then dropped without a word until a retry works (the first
/// line after `retryInterval`), which is announced once. Nothing here crashes or waits for anything but the disk.
struct ChatLogFiles {
    /// Writes all of the bytes to the descriptor: 0, or the errno that stopped it.
    typealias Write = @Sendable (_ descriptor: Int32, _ bytes: [UInt8]) -> Int32

    /// The default `Write`: write(2) through `DescriptorWriter` (which retries after EINTR and short writes).
    static let systemWrite: Write = { descriptor, bytes in
        do throws(DescriptorWriter.Failure) {
            try DescriptorWriter(descriptor: descriptor).write(bytes)
            return 0
        } catch {
            return error.code
        }
    }

    private struct OpenFile {
        var day: String
        var path: String
        var descriptor: Int32
        /// The file did not end with a line feed when opened (a line cut by an earlier failure or crash).
        var needsLineFeed: Bool
    }

    private struct Failure {
        var retryAt: ContinuousClock.Instant
        var dropped: Int
    }

    let directory: String
    let retryInterval: Duration
    let write: Write
    let warn: @Sendable (String) -> Void
    private var files: [String: OpenFile] = [:]
    private var failure: Failure?
    private var refusedRooms: Set<String> = []

    init(directory: String, retryInterval: Duration, write: @escaping Write, warn: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.retryInterval = retryInterval
        self.write = write
        self.warn = warn
    }

    /// Appends `lines` (each ending in a line feed, `count` of them) to `room`'s file for `day`.
    mutating func append(room: String, day: String, bytes: [UInt8], count: Int) {
        guard ChatLogName.isSafeDirectory(room) else {
            if refusedRooms.insert(room).inserted { warn("not logging the room '\(VisibleText.sanitize(room))': not a safe directory name") }
            return
        }
        if let pending = failure, ContinuousClock.now < pending.retryAt {
            failure?.dropped += count
            return
        }
        let result = appendNow(room: room, day: day, bytes: bytes)
        switch (result, failure) {
        case (nil, nil):
            return
        case (nil, let recovered?):
            failure = nil
            let path = files[room]?.path ?? directory
            warn("logging to \(path) works again (\(recovered.dropped) line\(recovered.dropped == 1 ? " was" : "s were") not logged)")
        case (let problem?, nil):
            failure = Failure(retryAt: ContinuousClock.now + retryInterval, dropped: count)
            warn("logging to \(problem.path) failed: \(String(cString: strerror(problem.code))); lines are dropped until it works again")
        case (_?, let still?):
            failure = Failure(retryAt: ContinuousClock.now + retryInterval, dropped: still.dropped + count)
        }
    }

    /// Closes every open file (at the end, or when nothing may stay open).
    mutating func closeAll() {
        for file in files.values { close(file.descriptor) }
        files = [:]
    }

    /// Writes to the room's open file, opening the day's file first if needed; the path and errno of a failure.
    private mutating func appendNow(room: String, day: String, bytes: [UInt8]) -> (path: String, code: Int32)? {
        if let file = files[room], file.day != day {
            close(file.descriptor)
            files[room] = nil
        }
        if files[room] == nil {
            switch open(room: room, day: day) {
            case .success(let file): files[room] = file
            case .failure(let problem): return (problem.path, problem.code)
            }
        }
        var file = files[room]!
        let code = write(file.descriptor, file.needsLineFeed ? [UInt8(ascii: "\n")] + bytes : bytes)
        guard code == 0 else {
            // Reopened on the retry, so a line cut short by this write is ended before the next one.
            close(file.descriptor)
            files[room] = nil
            return (file.path, code)
        }
        file.needsLineFeed = false
        files[room] = file
        return nil
    }

    private struct OpenProblem: Error {
        var path: String
        var code: Int32
    }

    private func open(room: String, day: String) -> Result<OpenFile, OpenProblem> {
        let folder = directory + "/" + room
        if let problem = makeFolders(folder) { return .failure(problem) }
        let path = folder + "/" + day + ".log"
        var descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            fchmod(descriptor, 0o600)
        } else if errno == EEXIST {
            descriptor = Foundation.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        }
        guard descriptor >= 0 else { return .failure(OpenProblem(path: path, code: errno)) }
        return .success(OpenFile(day: day, path: path, descriptor: descriptor, needsLineFeed: !endsWithLineFeed(path)))
    }

    /// Makes `path` and any missing folder above it, each 0700 (set with chmod, as mkdir's mode is masked by the umask).
    private func makeFolders(_ path: String) -> OpenProblem? {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return nil }
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) == 0 {
                chmod(current, 0o700)
            } else if errno != EEXIST {
                return OpenProblem(path: current, code: errno)
            }
        }
        return nil
    }

    /// Whether the file is empty or ends with a line feed (an unreadable one counts as ending well).
    private func endsWithLineFeed(_ path: String) -> Bool {
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return true }
        defer { close(descriptor) }
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return true }
        var last: UInt8 = 0
        return pread(descriptor, &last, 1, size - 1) != 1 || last == UInt8(ascii: "\n")
    }
}
