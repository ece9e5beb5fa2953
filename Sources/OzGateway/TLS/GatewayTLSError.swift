/// Why the gateway's TLS certificate or key cannot be used; the description names the file and the problem.
public enum GatewayTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of the two files.
    public enum File: String, Sendable {
        case certificate
        case key
    }

    /// The file cannot be opened or read.
    case unreadable(File, path: String, why: String)
    /// The certificate file holds no usable PEM certificate.
    case badCertificate(path: String, why: String)
    /// The key file holds no usable (unencrypted) PEM private key.
    case badKey(path: String, why: String)
    /// The private key is not the one the certificate was issued for.
    case keyDoesNotMatch(certificate: String, key: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let path, let why): "cannot read the TLS \(file.rawValue) \(path): \(why)"
        case .badCertificate(let path, let why): "TLS certificate \(path): \(why)"
        case .badKey(let path, let why): "TLS key \(path): \(why)"
        case .keyDoesNotMatch(let certificate, let key): "TLS key \(key) does not match the certificate \(certificate)"
        }
    }
}
