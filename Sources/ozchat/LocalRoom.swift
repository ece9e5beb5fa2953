import Foundation
import Logging
import OzGateway
import OzProtocol

/// The room ozchat joins when no SERVER is given: the local gateway recorded in the per-user file when one answers
/// there, else an embedded gateway started in this process on 127.0.0.1:7779 (whose lobby token is written to that
/// file, so a second ozchat on this machine joins the same room).
enum LocalRoom {
    /// The room found or started.
    struct Joined: Sendable {
        var server: String
        var token: String
        /// The embedded gateway, when this process runs it (shut it down at exit).
        var gateway: Gateway?
    }

    /// Why no room could be joined or started.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func find(port: Int = WireLimits.defaultPort, path: String = LocalGatewayFile.defaultPath()) async throws -> Joined {
        let recorded = try? LocalGatewayFile.read(path: path)
        if let recorded, let address = try? ServerAddress(parsing: recorded.server), isListening(host: address.host, port: address.port) {
            return Joined(server: recorded.server, token: recorded.token, gateway: nil)
        }
        let token = recorded?.token ?? LocalGatewayFile.makeToken()
        let gateway = try await host(port: port, token: token, path: path)
        return Joined(server: "ws://127.0.0.1:\(gateway.port)/", token: token, gateway: gateway)
    }

    /// Starts the embedded gateway for the local room on 127.0.0.1:`port` with `token`, its history in the file beside
    /// `path`, and records it in `path`. Fails when the port is taken or the history is in use (another ozchat hosts).
    static func host(port: Int, token: String, path: String) async throws -> Gateway {
        let directory = AccessDirectory(lines: [LineCredential(name: "lobby", tokenHash: .token(token))], extensions: [])
        let logger = Logger(label: "ozchat.embedded-gateway") { _ in SwiftLogNoOpLogHandler() }
        // The local room remembers: its history lives beside the token file, like ozgate's embedded default.
        let historyPath = LocalGatewayFile.historyPath(besideTokenFile: path)
        let history: GatewayHistory?
        do {
            history = try HistoryStores.open(settings: HistorySettings(store: .sqlite(path: historyPath)), rooms: ["lobby"], logger: logger)
        } catch {
            throw Failure(description: "the local room's history cannot be opened: \(error)")
        }
        let gateway = Gateway(
            configuration: GatewayConfiguration(host: "127.0.0.1", port: port, directory: directory, history: history), logger: logger)
        do {
            try await gateway.start()
        } catch {
            await gateway.shutdown()
            throw Failure(description: "no local gateway answers, and an embedded one cannot listen on 127.0.0.1:\(port): \(error)")
        }
        try? LocalGatewayFile(server: "ws://127.0.0.1:\(gateway.port)/", token: token).write(path: path)
        return gateway
    }

    /// Whether something accepts TCP connections there (a quick loopback check, 300 ms at most).
    static func isListening(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else { return false }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, 300) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0
    }
}
