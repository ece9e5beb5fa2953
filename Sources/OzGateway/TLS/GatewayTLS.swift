import Foundation
import NIOSSL
import OzProtocol

/// TLS for the gateway (`wss://`): the certificate chain and private key it presents, loaded and checked once, at
/// startup, into the one server context every connection shares. Anything wrong (a file that cannot be read, no PEM
/// certificate, an encrypted or unreadable key, a key that does not match the certificate) is a ``GatewayTLSError``
/// then, never a plain-text fallback later.
public struct GatewayTLS: Sendable {
    /// The server-side context, shared by every connection.
    let context: NIOSSLContext
    /// The certificate the gateway presents (the first of the chain).
    public let leaf: NIOSSLCertificate
    /// The whole chain as loaded: the leaf, then any intermediates.
    public let chain: [NIOSSLCertificate]

    /// Loads a PEM certificate chain (leaf first, then intermediates) and a PEM private key from files.
    public init(certificateFile: String, keyFile: String) throws(GatewayTLSError) {
        try self.init(
            certificatePEM: try Self.read(certificateFile, what: .certificate), keyPEM: try Self.read(keyFile, what: .key),
            certificateSource: certificateFile, keySource: keyFile)
    }

    /// Uses a PEM certificate chain and a PEM private key held in memory; the sources name them in errors.
    public init(
        certificatePEM: [UInt8], keyPEM: [UInt8], certificateSource: String = "the certificate", keySource: String = "the key"
    ) throws(GatewayTLSError) {
        let chain = (try? NIOSSLCertificate.fromPEMBytes(certificatePEM)) ?? []
        guard let leaf = chain.first else {
            let text = String(decoding: certificatePEM, as: UTF8.self)
            let why =
                if text.contains("BEGIN CERTIFICATE") {
                    "its PEM certificate cannot be parsed"
                } else if text.contains("PRIVATE KEY") {
                    "it holds a private key, not a certificate (are --tls-cert and --tls-key swapped?)"
                } else {
                    "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)"
                }
            throw .badCertificate(path: certificateSource, why: why)
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyPEM, format: .pem)
        } catch {
            let text = String(decoding: keyPEM, as: UTF8.self)
            let why =
                text.contains("ENCRYPTED")
                ? "the key is encrypted; give an unencrypted PEM key (e.g. openssl pkey -in KEY -out plain-key.pem)"
                : "not a PEM private key (expected -----BEGIN PRIVATE KEY----- or an RSA/EC key)"
            throw .badKey(path: keySource, why: why)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            // BoringSSL checks here that the key belongs to the leaf certificate.
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .keyDoesNotMatch(certificate: certificateSource, key: keySource)
        }
        self.leaf = leaf
        self.chain = chain
    }

    /// When the presented certificate stops being valid.
    public var notValidAfter: Date { Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter)) }

    /// When the presented certificate starts being valid.
    public var notValidBefore: Date { Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore)) }

    /// A warning for a certificate that every verifying client will reject for its dates (nil when `now` is within them).
    public func validityWarning(at now: Date = Date()) -> String? {
        if now > notValidAfter { return "the TLS certificate expired at \(WireTimestamp.string(from: notValidAfter)); clients will refuse it" }
        if now < notValidBefore {
            return "the TLS certificate is not valid before \(WireTimestamp.string(from: notValidBefore)); clients will refuse it"
        }
        return nil
    }

    /// The bytes of a file, or a ``GatewayTLSError`` that names it and says why (as the OS put it).
    static func read(_ path: String, what: GatewayTLSError.File) throws(GatewayTLSError) -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw .unreadable(what, path: path, why: String(cString: strerror(errno))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes += buffer[..<count]
            if count < buffer.count { break }
            // A certificate chain or a key is a few KiB; refuse anything absurd rather than read it all.
            guard bytes.count <= 1024 * 1024 else { throw .unreadable(what, path: path, why: "larger than 1 MiB; not a PEM file") }
        }
        if ferror(file) != 0 { throw .unreadable(what, path: path, why: String(cString: strerror(errno))) }
        return bytes
    }
}
