import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy on loopback between a client and a gateway, which a test can cut: every connection through it is closed
/// (a real drop, which both ends see as a lost TCP connection) and, until it is restored, new ones are accepted and
/// closed at once. Each direction can also be held: the proxy stops reading it, so what is sent that way stays in the
/// kernel's buffers and is lost at the next cut (a message that never reached the gateway, or an echo that never came
/// back). Threads and blocking sockets: test code only.
public final class CuttableProxy: Sendable {
    /// A direction of the traffic.
    public enum Direction: Sendable {
        /// Client to gateway.
        case up
        /// Gateway to client.
        case down
    }

    private struct State {
        var cut = false
        var heldUp = false
        var heldDown = false
        var open: [Int32] = []
        var stopped = false
    }

    /// The port clients connect to.
    public let port: Int
    private let listener: Int32
    private let target: Int
    private let state = NIOLockedValueBox(State())

    /// Listens on a free loopback port and forwards to `127.0.0.1:targetPort`.
    public init(targetPort: Int) throws {
        target = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ProxyError(description: "cannot listen: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = fd
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    return
                }
                if state.withLockedValue({ $0.cut || $0.stopped }) {
                    close(client)
                    continue
                }
                connectThrough(client)
            }
        }
    }

    /// Closes every connection through the proxy and refuses new ones (accepted and closed) until `restore()`.
    /// The descriptors are shut down under the lock that the pumps also close them under: a descriptor number is only
    /// ever used while it is still this proxy's, never after it was closed and handed to another socket of the process.
    public func cut() {
        state.withLockedValue { state in
            state.cut = true
            state.heldUp = false
            state.heldDown = false
            for fd in state.open { shutdown(fd, Int32(SHUT_RDWR)) }
            state.open = []
        }
    }

    /// Lets connections through again.
    public func restore() {
        state.withLockedValue { $0.cut = false }
    }

    /// Stops reading one direction (what is sent that way waits in the kernel, and is lost at the next cut).
    public func hold(_ direction: Direction) {
        state.withLockedValue { state in
            switch direction {
            case .up: state.heldUp = true
            case .down: state.heldDown = true
            }
        }
    }

    /// How many bytes wait, unread, in the held direction of the open connections (FIONREAD).
    public func waiting(_ direction: Direction) -> Int {
        // `open` holds pairs: the client's end, then the gateway's; a direction is read from its sender's end.
        state.withLockedValue { state in
            var total: Int32 = 0
            for (index, fd) in state.open.enumerated() where (index % 2 == 0) == (direction == .up) {
                var count: Int32 = 0
                if ioctl(fd, UInt(FIONREAD), &count) == 0 { total += count }
            }
            return Int(total)
        }
    }

    /// Stops the proxy: every connection and the listener closed.
    public func stop() {
        cut()
        state.withLockedValue { $0.stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func connectThrough(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: target)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(client)
            close(upstream)
            return
        }
        state.withLockedValue { $0.open += [client, upstream] }
        let finished = NIOLockedValueBox(0)
        for (from, to, direction) in [(client, upstream, Direction.up), (upstream, client, Direction.down)] {
            Thread.detachNewThread { [self] in
                pump(from: from, to: to, direction)
                shutdown(from, Int32(SHUT_RDWR))
                shutdown(to, Int32(SHUT_RDWR))
                // The second pump to end closes both descriptors, after taking them out of `open` (under its lock, so
                // a cut never shuts down a number that was closed and reused by another socket in this process).
                if finished.withLockedValue({ count in
                    count += 1
                    return count == 2
                }) {
                    state.withLockedValue { state in
                        state.open.removeAll { $0 == from || $0 == to }
                        close(from)
                        close(to)
                    }
                }
            }
        }
    }

    private func pump(from: Int32, to: Int32, _ direction: Direction) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var request = pollfd(fd: from, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, 50)
            let (held, cut) = state.withLockedValue { ($0.cut ? false : (direction == .up ? $0.heldUp : $0.heldDown), $0.cut) }
            if cut, !state.withLockedValue({ $0.open.contains(from) }) { return }
            if held {
                usleep(10_000)
                continue
            }
            if ready <= 0 { continue }
            let count = read(from, &buffer, buffer.count)
            if count <= 0 { return }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { write(to, $0.baseAddress! + written, count - written) }
                if result <= 0 { return }
                written += result
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    struct ProxyError: Error, CustomStringConvertible {
        var description: String
    }
}
