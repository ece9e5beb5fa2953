import Foundation
import NIOSSL
import OzProtocol

/// A failed TLS handshake put into words for `CONNECTION_FAILED` ("TLS: certificate is not valid for 127.0.0.1"),
/// and whether it was the gateway's certificate that was rejected: the reconnect policy does not retry that, since
/// the same certificate would be rejected again.
struct TLSFailure: Sendable, Equatable {
    /// The reason shown to the user, starting `TLS: `.
    var reason: String
    /// The certificate was untrusted, out of its dates, or not for this host.
    var certificateRejected: Bool
    /// BoringSSL refused the chain but says no more than CERTIFICATE_VERIFY_FAILED: the reason still needs the detail
    /// (see ``untrusted(_:)`` and `CertificateProbe`).
    var needsDetail = false

    /// The reason for a chain the verifier refused, with what is wrong with it ("unknown issuer", "expired …").
    static func untrusted(_ detail: String) -> String { "TLS: certificate not trusted (\(detail))" }

    /// Reads a connection error; nil when it is not a TLS error (or is a TLS stream that merely ended, see `describe`).
    init?(_ error: any Error, host: String) {
        if let extra = error as? NIOSSLExtraError {
            if extra == .failedToValidateHostname {
                self.init(reason: "TLS: certificate is not valid for \(host)", certificateRejected: true)
            } else {
                self.init(reason: "TLS: \(extra)", certificateRejected: false)
            }
            return
        }
        guard let error = error as? NIOSSLError, error != .uncleanShutdown else { return nil }
        guard case .handshakeFailed(let boring) = error else {
            self.init(reason: "TLS: \(error)", certificateRejected: false)
            return
        }
        let stack: NIOBoringSSLErrorStack
        switch boring {
        case .sslError(let errors), .unknownError(let errors): stack = errors
        default: stack = []
        }
        let text = stack.map(\.description).joined(separator: "; ")
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            self.init(reason: Self.untrusted("unknown issuer"), certificateRejected: true, needsDetail: true)
        } else if text.contains("EOF during handshake") {
            self.init(reason: "TLS: the server closed the connection during the handshake (a plain ws:// port?)", certificateRejected: false)
        } else if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
            // ozgate answers in plain text on a TLS port only when it refuses the connection at admission (a 503,
            // sent before any handshake so that refusing stays cheap); anything else here is not a TLS server.
            self.init(reason: "TLS: the server answered in plain text, not TLS", certificateRejected: false)
        } else if let alert = Self.alert(in: text) {
            self.init(reason: "TLS: the server refused the handshake (\(alert))", certificateRejected: false)
        } else {
            self.init(reason: "TLS: handshake failed (\(text.isEmpty ? "\(boring)" : Self.codes(in: text)))", certificateRejected: false)
        }
    }

    init(reason: String, certificateRejected: Bool, needsDetail: Bool = false) {
        self.reason = reason
        self.certificateRejected = certificateRejected
        self.needsDetail = needsDetail
    }

    /// The name of a TLS alert the server sent (`TLSV1_ALERT_PROTOCOL_VERSION` → `protocol version`).
    static func alert(in text: String) -> String? {
        for code in codes(in: text).split(separator: ", ") {
            for prefix in ["SSLV3_ALERT_", "TLSV1_ALERT_"] where code.hasPrefix(prefix) {
                return code.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: " ")
            }
        }
        return nil
    }

    /// BoringSSL's reason codes in an error stack's text (`error:…:SSL routines:OPENSSL_internal:CODE at file:line`).
    static func codes(in text: String) -> String {
        var codes: [String] = []
        for entry in text.split(separator: ";") {
            guard let marker = entry.range(of: "OPENSSL_internal:") else { continue }
            let code = entry[marker.upperBound...].prefix { $0 != " " }
            if !code.isEmpty { codes.append(String(code)) }
        }
        return codes.isEmpty ? text : codes.joined(separator: ", ")
    }
}
