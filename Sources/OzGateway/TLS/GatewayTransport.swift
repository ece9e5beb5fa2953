import Logging
import NIOCore
import NIOSSL

/// The head of every gateway connection's pipeline, in front of HTTP: a ``TransportMismatchDetector``, then with TLS
/// configured the TLS server handler and a ``TLSHandshakeLogger``. A client that speaks the wrong transport (`ws://`
/// on a TLS port, `wss://` on a plain one) or fails the handshake is closed at once and leaves one log line.
enum GatewayTransport {
    static func configure(_ channel: any Channel, tls: GatewayTLS?, logger: Logger) throws {
        var logger = logger
        logger[metadataKey: "ip"] = "\(channel.remoteAddress?.ipAddress ?? "?")"
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(TransportMismatchDetector(expectsTLS: tls != nil, logger: logger))
        if let tls {
            try sync.addHandler(NIOSSLServerHandler(context: tls.context))
            try sync.addHandler(TLSHandshakeLogger(logger: logger))
        }
    }
}
