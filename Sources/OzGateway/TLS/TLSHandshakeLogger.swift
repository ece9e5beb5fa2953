import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Sits right behind the TLS server handler. A failed handshake (a client that rejects our certificate, no common
/// version) becomes one `tls handshake failed` log line with the reason in words, and the connection closes; nothing
/// further down sees the error. A connection that closes before or during the handshake without a word (a TCP health
/// check, a port scan, a client turned away by `TransportMismatchDetector`) is logged at debug level only. After the
/// handshake, a peer that drops the TCP connection without a TLS close_notify is an ordinary closed socket, as it is
/// on a plain port.
final class TLSHandshakeLogger: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let logger: Logger
    private var handshakeDone = false
    private var failed = false

    init(logger: Logger) {
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { handshakeDone = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if handshakeDone {
            if case .uncleanShutdown = error as? NIOSSLError { return }
            context.fireErrorCaught(error)
            return
        }
        if !failed {
            failed = true
            if Self.isSilentHangUp(error) {
                logger.debug("tls handshake abandoned", metadata: ["reason": "the client closed the connection"])
            } else {
                logger.notice("tls handshake failed", metadata: ["reason": "\(Self.describe(error))"])
            }
        }
        context.close(promise: nil)
    }

    /// The connection closed during the handshake, with no TLS alert or bad record to say why.
    static func isSilentHangUp(_ error: any Error) -> Bool {
        switch error as? NIOSSLError {
        case .uncleanShutdown: true
        case .handshakeFailed(.sslError(let stack)): stack == [.eofDuringHandshake]
        default: false
        }
    }

    /// The reason a server-side handshake failed, in words where BoringSSL's reason code is a known one.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let known: [(code: String, words: String)] = [
            ("WRONG_VERSION_NUMBER", "not a TLS handshake (a plain-text client?)"),
            ("UNKNOWN_CA", "the client does not trust this certificate (unknown CA)"),
            ("CERTIFICATE_EXPIRED", "the client says this certificate has expired"),
            ("BAD_CERTIFICATE", "the client rejected this certificate (bad certificate)"),
            ("CERTIFICATE_UNKNOWN", "the client rejected this certificate"),
            ("NO_SHARED_CIPHER", "no cipher in common with the client"),
            ("UNSUPPORTED_PROTOCOL", "no TLS version in common with the client"),
        ]
        for entry in known where text.contains(entry.code) { return entry.words }
        return text
    }
}
