import Foundation

/// Writes to a file descriptor with write(2) itself, unbuffered: the whole buffer, retried after EINTR and short writes,
/// waiting for room after EAGAIN. A reader that has gone (EPIPE), a closed descriptor (EBADF) or any other failure comes
/// back as a `Failure` instead of killing the process (as `FileHandle.write`'s `try!` did), provided SIGPIPE is ignored:
/// each program calls `prepareStandardStreams()` first.
public struct DescriptorWriter: Sendable {
    /// Standard output.
    public static let standardOutput = DescriptorWriter(descriptor: STDOUT_FILENO)
    /// Standard error.
    public static let standardError = DescriptorWriter(descriptor: STDERR_FILENO)

    /// The descriptor written to; not owned (never closed here).
    public let descriptor: Int32

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Why a write stopped: the `errno` of the failed write(2) or poll(2).
    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { String(cString: strerror(code)) }
    }

    /// Writes all of `text` as UTF-8.
    public func write(_ text: String) throws(Failure) {
        var text = text
        try check(text.withUTF8 { writeAll(UnsafeRawBufferPointer($0)) })
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(Failure) {
        try check(bytes.withUnsafeBytes { writeAll($0) })
    }

    private func check(_ code: Int32) throws(Failure) {
        if code != 0 { throw Failure(code: code) }
    }

    /// Writes all of `bytes`; 0, or the errno that stopped it.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written >= 0 {
                offset += written
                continue
            }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                let failure = waitUntilWritable()
                if failure != 0 { return failure }
            default: return code
            }
        }
        return 0
    }

    /// A descriptor someone else made non-blocking: waits (poll) until it takes more; 0, or poll's errno.
    private func waitUntilWritable() -> Int32 {
        var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        while poll(&request, 1, -1) < 0 {
            let code = errno
            if code != EINTR { return code }
        }
        return 0
    }

    /// What every program does before anything else: ignores SIGPIPE (so a write to a pipe nobody reads any more fails
    /// with EPIPE instead of killing the process; SwiftNIO would ignore it too, but only once it opens its first socket),
    /// and opens /dev/null on any of descriptors 0, 1 and 2 that is closed, so that no socket or file opened later can
    /// take that number and receive what was meant for standard output or standard error.
    public static func prepareStandardStreams() {
        _ = signal(SIGPIPE, SIG_IGN)
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            // open(2) takes the lowest free number: this one, as the lower ones are open by now.
            let null = open("/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0, null != descriptor {
                _ = dup2(null, descriptor)
                close(null)
            }
        }
    }
}
