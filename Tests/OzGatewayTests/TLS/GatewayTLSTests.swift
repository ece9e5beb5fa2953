import Foundation
import NIOCore
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// The gateway's TLS: the certificate and key are checked at startup with errors that say what is wrong, and a client
/// that speaks the wrong transport (plain on a TLS port, TLS on a plain port) is closed and logged in one line.
@Suite("Gateway TLS")
struct GatewayTLSTests {
    let pki: TestPKI
    let folder: URL

    init() throws {
        pki = try TestPKI()
        folder = try pki.writeFiles()
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(_ text: String, to name: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    @Test func goodFilesLoadWithTheLeafFirst() throws {
        let tls = try GatewayTLS(certificateFile: path("cert.pem"), keyFile: path("key.pem"))
        #expect(tls.chain.count == 1)
        #expect(tls.validityWarning() == nil)
        #expect(tls.notValidAfter > Date())
    }

    @Test func aMissingFileIsNamedWithTheReason() {
        #expect(throws: GatewayTLSError.unreadable(.certificate, path: path("nope.pem"), why: "No such file or directory")) {
            try GatewayTLS(certificateFile: path("nope.pem"), keyFile: path("key.pem"))
        }
        #expect(throws: GatewayTLSError.unreadable(.key, path: path("nope.pem"), why: "No such file or directory")) {
            try GatewayTLS(certificateFile: path("cert.pem"), keyFile: path("nope.pem"))
        }
    }

    @Test func filesThatAreNotPEMOrSwappedSaySo() throws {
        let garbage = try write("hello\n", to: "garbage.pem")
        let error = #expect(throws: GatewayTLSError.self) { try GatewayTLS(certificateFile: garbage, keyFile: path("key.pem")) }
        #expect(error?.description == "TLS certificate \(garbage): no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")
        // Key and certificate given the wrong way round.
        let swapped = #expect(throws: GatewayTLSError.self) { try GatewayTLS(certificateFile: path("key.pem"), keyFile: path("cert.pem")) }
        #expect(
            swapped
                == .badCertificate(path: path("key.pem"), why: "it holds a private key, not a certificate (are --tls-cert and --tls-key swapped?)"))
        let badKey = #expect(throws: GatewayTLSError.self) { try GatewayTLS(certificateFile: path("cert.pem"), keyFile: garbage) }
        guard case .badKey(let keyPath, _) = badKey else {
            Issue.record("expected badKey, got \(String(describing: badKey))")
            return
        }
        #expect(keyPath == garbage)
    }

    @Test func anEncryptedKeyAsksForAnUnencryptedOne() throws {
        let encrypted = try write(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhV\n-----END ENCRYPTED PRIVATE KEY-----\n",
            to: "encrypted-key.pem")
        let error = #expect(throws: GatewayTLSError.self) { try GatewayTLS(certificateFile: path("cert.pem"), keyFile: encrypted) }
        #expect(error?.description.contains("the key is encrypted") == true)
    }

    @Test func aKeyFromAnotherCertificateIsRefused() {
        #expect(throws: GatewayTLSError.keyDoesNotMatch(certificate: path("cert.pem"), key: path("wrong-host-key.pem"))) {
            try GatewayTLS(certificateFile: path("cert.pem"), keyFile: path("wrong-host-key.pem"))
        }
    }

    @Test func anExpiredCertificateLoadsWithAWarning() throws {
        let tls = try GatewayTLS(certificatePEM: Array(pki.expired.certificatePEM.utf8), keyPEM: Array(pki.expired.privateKeyPEM.utf8))
        #expect(tls.validityWarning()?.contains("expired") == true)
    }

    func withGateway(tls: Bool, _ body: (Gateway, CapturedLog) async throws -> Void) async throws {
        let capture = CapturedLog()
        var configuration = GatewayConfiguration(port: 0, directory: TestGateway.directory)
        if tls { configuration.tls = try GatewayTLS(certificateFile: path("cert.pem"), keyFile: path("key.pem")) }
        let gateway = Gateway(configuration: configuration, logger: capture.logger)
        try await gateway.start()
        do {
            try await body(gateway, capture)
        } catch {
            await gateway.shutdown()
            throw error
        }
        await gateway.shutdown()
    }

    @Test func aPlainWebSocketClientOnTheTLSPortIsClosedAndLoggedOnce() async throws {
        try await withGateway(tls: true) { gateway, log in
            let connection = try await RawConnection.open(port: gateway.port)
            let request =
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(gateway.port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            try await connection.send(Array(request.utf8))
            #expect(await connection.closedByPeer(within: .seconds(10)))
            // A plain-text answer the client can read, never the upgrade.
            let answer = String(decoding: connection.bytes, as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(answer.hasSuffix("\r\n\r\nozgate serves OzWire v1 over TLS on this port: connect with wss://HOST:PORT/\n"))
            let lines = await log.wait(for: "plain client on the tls port")
            #expect(lines.count == 1)
            #expect(lines.first?.contains("ip=127.0.0.1") == true)
            #expect(log.lines("tls handshake failed").isEmpty)
            #expect(gateway.connectionCount == 0)
        }
    }

    @Test func aTLSClientOnThePlainPortIsClosedAndLoggedOnce() async throws {
        try await withGateway(tls: false) { gateway, log in
            let connection = try await RawConnection.open(port: gateway.port)
            // The start of a TLS 1.2 ClientHello record: handshake (0x16), version 3.1, then a length and the message.
            try await connection.send([0x16, 0x03, 0x01, 0x00, 0x2F, 0x01, 0x00, 0x00, 0x2B, 0x03, 0x03] + Array(repeating: 0, count: 32))
            #expect(await connection.closedByPeer(within: .seconds(10)))
            #expect(connection.bytes.isEmpty)
            let lines = await log.wait(for: "tls client on a plain port")
            #expect(lines.count == 1)
            #expect(lines.first?.contains("ip=127.0.0.1") == true)
        }
    }

    @Test func thePlainPortStillServesPlainHTTPAnswers() async throws {
        try await withGateway(tls: false) { gateway, log in
            let connection = try await RawConnection.open(port: gateway.port)
            try await connection.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(await connection.closedByPeer(within: .seconds(10)))
            let answer = String(decoding: connection.bytes, as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 426"))
            #expect(answer.contains("connect with ws://HOST:PORT/"))
            #expect(log.lines("tls client on a plain port").isEmpty)
        }
    }
}
