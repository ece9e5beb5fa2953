import Foundation
import NIOSSL

/// Which certificate authorities a `wss://` connection trusts. Whatever the choice, verification is full: the chain
/// must lead to a trusted CA, every certificate must be within its dates, and the gateway's certificate must name the
/// host (or IP address) of the server address. There is no switch to turn verification off, and a `wss://` address
/// is never retried as `ws://`. Plain `ws://` addresses do not use TLS at all.
public enum ClientTrust: Sendable {
    /// The system's trust store (the default): for a gateway whose certificate comes from a public CA.
    case system
    /// Only these CA certificates, instead of the system store: for a private CA, or a self-signed gateway certificate.
    case certificateAuthorities([NIOSSLCertificate])

    /// Trusts only the CA certificates in a PEM file (`ozchat --ca FILE`).
    public static func pemFile(_ path: String) throws(ClientTrustError) -> ClientTrust {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            let why = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file"
            throw ClientTrustError(path: path, problem: why)
        }
        return try pem(bytes, source: path)
    }

    /// Trusts only the CA certificates in PEM bytes; `source` names them in errors.
    public static func pem(_ bytes: [UInt8], source: String = "the CA certificates") throws(ClientTrustError) -> ClientTrust {
        let certificates = (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
        guard !certificates.isEmpty else {
            let text = String(decoding: bytes, as: UTF8.self)
            let problem =
                text.contains("PRIVATE KEY")
                ? "it holds a private key, not a certificate; give the CA's certificate (PEM)"
                : "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)"
            throw ClientTrustError(path: source, problem: problem)
        }
        return .certificateAuthorities(certificates)
    }

    /// The TLS settings for a `wss://` connection: TLS 1.2 or later, full verification against this trust.
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        switch self {
        case .system: configuration.trustRoots = .default
        case .certificateAuthorities(let certificates): configuration.trustRoots = .certificates(certificates)
        }
        return configuration
    }
}

/// A CA file that cannot be used, with the reason.
public struct ClientTrustError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or source) that was given.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "CA file \(path): \(problem)" }
}
