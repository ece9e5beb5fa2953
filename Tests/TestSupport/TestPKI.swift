import Foundation

/// The certificates the TLS tests use, made fresh for each test: a CA and its server certificate for 127.0.0.1 and
/// localhost, the same CA's certificates for another host and with expired dates, and a second CA that signed none.
public struct TestPKI: Sendable {
    /// The CA the client is told to trust.
    public let ca: TestCertificateAuthority
    /// A CA that signed nothing the gateway presents.
    public let otherCA: TestCertificateAuthority
    /// For IP 127.0.0.1 and DNS localhost, signed by `ca`.
    public let loopback: IssuedCertificate
    /// For DNS gateway.example only, signed by `ca`: right CA, wrong host.
    public let wrongHost: IssuedCertificate
    /// For 127.0.0.1 and localhost, signed by `ca`, but expired yesterday.
    public let expired: IssuedCertificate

    public init() throws {
        ca = try TestCertificateAuthority(name: "ozchat test CA")
        otherCA = try TestCertificateAuthority(name: "some other CA")
        loopback = try ca.issue(commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
        wrongHost = try ca.issue(commonName: "gateway.example", dnsNames: ["gateway.example"])
        expired = try ca.issue(
            commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"],
            validity: Date(timeIntervalSinceNow: -10 * 86_400)...Date(timeIntervalSinceNow: -86_400))
    }

    /// The trusted CA's certificate as PEM bytes.
    public var caPEM: [UInt8] {
        get throws { Array(try ca.certificatePEM.utf8) }
    }

    /// Writes `ca.pem` (the trusted CA), `other-ca.pem`, and the loopback server's `cert.pem` and `key.pem` into a new
    /// temporary folder; returns the folder.
    public func writeFiles() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("oz-tls-\(UUID().uuidString)")
        _ = try loopback.write(to: folder)
        _ = try wrongHost.write(to: folder, prefix: "wrong-host-")
        try ca.certificatePEM.write(to: folder.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        try otherCA.certificatePEM.write(to: folder.appendingPathComponent("other-ca.pem"), atomically: true, encoding: .utf8)
        return folder
    }
}
