import Crypto
import Foundation
import SwiftASN1
import X509

/// A throwaway certificate authority made in-process for the TLS tests: a P-256 key and a self-signed CA certificate.
/// It issues server certificates for whatever names and addresses a test needs, valid or not.
public struct TestCertificateAuthority: Sendable {
    /// The CA's name (its certificate's common name).
    public let name: String
    private let key: Certificate.PrivateKey
    private let certificate: Certificate

    /// A new CA with a fresh key, valid from an hour ago for a day.
    public init(name: String) throws {
        self.name = name
        key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now - 3600,
            notValidAfter: now + 86_400,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: key
        )
    }

    /// The CA certificate in PEM, for a client's trust store.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// Issues a server certificate (with its own fresh key) for the DNS names and IP addresses given, valid over
    /// `validity` (by default from an hour ago for a day).
    public func issue(
        commonName: String,
        dnsNames: [String] = [],
        ipAddresses: [String] = [],
        validity: ClosedRange<Date> = Date(timeIntervalSinceNow: -3600)...Date(timeIntervalSinceNow: 86_400)
    ) throws -> IssuedCertificate {
        let leafKey = P256.Signing.PrivateKey()
        let names = dnsNames.map { GeneralName.dnsName($0) } + (try ipAddresses.map { try GeneralName.ipAddress(Self.octets($0)) })
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: validity.lowerBound,
            notValidAfter: validity.upperBound,
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: key
        )
        return IssuedCertificate(certificatePEM: try leaf.serializeAsPEM().pemString, privateKeyPEM: leafKey.pemRepresentation)
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address, as a subjectAltName iPAddress holds them.
    static func octets(_ address: String) throws -> ASN1OctetString {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v4) { Array($0) }))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { throw BadAddress(address: address) }
        return ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v6) { Array($0) }))
    }

    /// An IP address that `inet_pton` does not accept.
    struct BadAddress: Error {
        var address: String
    }
}

/// A server certificate and its private key, both PEM.
public struct IssuedCertificate: Sendable {
    /// The leaf certificate, PEM.
    public var certificatePEM: String
    /// Its private key, PEM (PKCS#8, unencrypted).
    public var privateKeyPEM: String

    /// Writes `cert.pem` and `key.pem` into `folder` (created if needed) and returns their paths.
    public func write(to folder: URL, prefix: String = "") throws -> (certificate: String, key: String) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("\(prefix)cert.pem")
        let key = folder.appendingPathComponent("\(prefix)key.pem")
        try certificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
        try privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
        return (certificate.path, key.path)
    }
}
