import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import OzProtocol
import WSClient

/// One WebSocket to the gateway. Outgoing frames go through an ordered queue drained by the socket's own writer, so
/// sends keep their order; incoming text is handed to the client actor one message at a time.
final class ClientSocket: Sendable {
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let task: Task<Void, Never>

    /// What the socket's writer sends next: a frame, or the close handshake.
    enum Outgoing: Sendable {
        case frame(ClientFrame)
        case close
    }

    private init(outgoing: AsyncStream<Outgoing>.Continuation, task: Task<Void, Never>) {
        self.outgoing = outgoing
        self.task = task
    }

    static func open(address: ServerAddress, token: ConnectionStateMachine.Token, client: OzClient) -> ClientSocket {
        let (stream, continuation) = AsyncStream.makeStream(of: Outgoing.self)
        let configuration = client.configuration
        let logger = client.logger
        let task = Task {
            var wsConfiguration = WebSocketClientConfiguration(
                maxFrameSize: WireLimits.maxServerMessageBytes, closeTimeout: .seconds(2), autoPing: .enabled(timePeriod: configuration.pingInterval))
            wsConfiguration.sniHostname = ServerName.forTLS(address)
            // A gateway that goes without a TLS close_notify has simply gone, as it would over ws:// (see `describe`).
            wsConfiguration.ignoreUncleanSSLShutdownErrors = true
            var reason = "the connection closed"
            var certificateRejected = false
            do {
                // `wss://` always verifies (see ClientTrust); a failure is reported, never retried as `ws://`.
                let tls = address.scheme.isSecure ? configuration.trust.tlsConfiguration : nil
                let closeFrame = try await WebSocketClient.connect(
                    url: address.url, configuration: wsConfiguration, tlsConfiguration: tls, logger: logger
                ) { inbound, outbound, _ in
                    await client.socketOpened(token)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await item in stream {
                                switch item {
                                case .frame(let frame): try await outbound.write(.text(frame.encoded))
                                case .close:
                                    try await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: WireLimits.maxServerMessageBytes) {
                            if case .text(let text) = message { await client.received(text, on: token) }
                        }
                        group.cancelAll()
                    }
                }
                if let closeFrame {
                    reason = "the gateway closed the WebSocket (\(closeFrame.closeCode)\(closeFrame.reason.map { ": \($0)" } ?? ""))"
                }
            } catch {
                if var failure = TLSFailure(error, host: address.host) {
                    if failure.needsDetail, let detail = await CertificateProbe.detail(address: address) {
                        failure.reason = TLSFailure.untrusted(detail)
                    }
                    reason = failure.reason
                    certificateRejected = failure.certificateRejected
                } else {
                    reason = describe(error)
                }
            }
            continuation.finish()
            if certificateRejected {
                await client.certificateRejected(token, reason: reason)
            } else {
                await client.socketLost(token, reason: reason)
            }
        }
        return ClientSocket(outgoing: continuation, task: task)
    }

    func send(_ frame: ClientFrame) {
        outgoing.yield(.frame(frame))
    }

    /// Sends a close frame after anything queued; the socket is torn down if the gateway does not answer in 2 s.
    func close() {
        outgoing.yield(.close)
        outgoing.finish()
        let task = self.task
        Task {
            try? await Task.sleep(for: .seconds(2))
            task.cancel()
        }
    }
}

/// A short human description of a connection error (refused, DNS, …); TLS errors are put into words by `TLSFailure`.
func describe(_ error: any Error) -> String {
    // The TCP stream ended without a TLS close_notify: over ws:// the same end is just a closed connection. Every
    // WebSocket message is framed, so a cut-off stream cannot pass for a shorter message.
    if case .uncleanShutdown = error as? NIOSSLError { return "the connection closed" }
    let text = String(describing: error)
    if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
    if text.contains("connectTimeout") { return "connection timed out" }
    if error as? WebSocketClientError == .webSocketUpgradeFailed {
        // ozgate answers 503 to an address over its connection limits; WSClient does not pass the status on.
        return "the server did not accept the WebSocket upgrade (too many connections from this address, a wss:// port, or not an ozgate)"
    }
    return text
}
