import Foundation
import OzClient
import OzGateway
import OzProtocol
import TestSupport
import Testing

/// OzClient over `wss://` against a real TLS gateway, with certificates made for the test: a trusted private CA works,
/// and every certificate problem is `CONNECTION_FAILED` with the reason in words, not retried and never tried as `ws://`.
@Suite("OzClient over TLS")
struct OzClientTLSTests {
    let pki: TestPKI

    init() throws {
        pki = try TestPKI()
    }

    func gatewayTLS(_ certificate: IssuedCertificate) throws -> GatewayTLS {
        try GatewayTLS(certificatePEM: Array(certificate.certificatePEM.utf8), keyPEM: Array(certificate.privateKeyPEM.utf8))
    }

    /// Fast retries (so a retry, if the policy wrongly made one, would show within the test) and the given trust.
    func configuration(_ trust: ClientTrust) -> OzClientConfiguration {
        var configuration = OzClientConfiguration.fastRetries
        configuration.trust = trust
        return configuration
    }

    func join(_ address: String, nick: String, trust: ClientTrust) async throws -> (OzClient, EventRecorder) {
        let client = OzClient(configuration: configuration(trust))
        let recorder = EventRecorder(client)
        try await client.connect(serverAddress: address, token: ClientTestGateway.token, properties: ["Nickname": .string(nick)])
        _ = try await recorder.waitForState("ACCESS_GRANTED", timeout: .seconds(20))
        return (client, recorder)
    }

    @Test func withThePrivateCAClientsAreGrantedAndMessagesFlowBothWays() async throws {
        let gateway = try await ClientTestGateway.start(tls: try gatewayTLS(pki.loopback))
        let trust = try ClientTrust.pem(try pki.caPEM)
        let address = "wss://127.0.0.1:\(gateway.port)/"
        let (ann, annEvents) = try await join(address, nick: "Ann", trust: trust)
        let (bob, bobEvents) = try await join(address, nick: "Bob", trust: trust)
        let bobNumber = try #require(await bob.phoneNumber)
        try await annEvents.wait(for: "Bob online") { $0.client?.phoneNumber == bobNumber }

        // Room messages go out pre-framed, past the frame encoder: they must be encrypted too.
        try await ann.send("hello over TLS")
        try await bobEvents.wait(for: "Ann's room message") { $0.chat?.text == "hello over TLS" }
        try await bob.send("hi Ann")
        try await annEvents.wait(for: "Bob's room message") { $0.chat?.text == "hi Ann" }
        let annNumber = try #require(await ann.phoneNumber)
        try await bob.send("just for you", to: annNumber)
        try await annEvents.wait(for: "Bob's private message") { $0.chat?.text == "just for you" }
        #expect(gateway.connectionCount == 2)
        await ann.shutdown()
        await bob.shutdown()
        await gateway.shutdown()
    }

    @Test func aGatewayShutdownReachesTheClientOverTLS() async throws {
        let gateway = try await ClientTestGateway.start(tls: try gatewayTLS(pki.loopback))
        let (client, events) = try await join("wss://127.0.0.1:\(gateway.port)/", nick: "Ann", trust: try ClientTrust.pem(try pki.caPEM))
        await gateway.shutdown()
        let closed = try await events.waitForState("CONNECTION_CLOSED")
        #expect(closed.reason == SessionEnd.gateway(.shutdown).description)
        await client.shutdown()
    }

    @Test func aDNSNameIsVerifiedToo() async throws {
        let gateway = try await ClientTestGateway.start(tls: try gatewayTLS(pki.loopback))
        let (client, _) = try await join("wss://localhost:\(gateway.port)/", nick: "Ann", trust: try ClientTrust.pem(try pki.caPEM))
        await client.shutdown()
        await gateway.shutdown()
    }

    /// Connects, waits for CONNECTION_FAILED and a while longer, and returns it with every state seen.
    func failure(_ address: String, trust: ClientTrust) async throws -> (ConnectionState, [ConnectionState]) {
        let client = OzClient(configuration: configuration(trust))
        let events = EventRecorder(client)
        try await client.connect(serverAddress: address, token: ClientTestGateway.token)
        let failed = try await events.waitForState("CONNECTION_FAILED", timeout: .seconds(20))
        // The fast backoff would have retried within 50 ms.
        try await Task.sleep(for: .milliseconds(600))
        let states = events.states
        await client.shutdown()
        return (failed, states)
    }

    func expectRejected(
        _ certificate: IssuedCertificate, trust: ClientTrust, reason: String, gatewayLogs: String?, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let log = CapturedLog()
        let gateway = try await ClientTestGateway.start(tls: try gatewayTLS(certificate), logger: log.logger)
        let (failed, states) = try await failure("wss://127.0.0.1:\(gateway.port)/", trust: trust)
        #expect(failed.reason?.hasPrefix(reason) == true, "\(failed)", sourceLocation: sourceLocation)
        #expect(failed.retry == nil, sourceLocation: sourceLocation)
        #expect(failed.needsUser, sourceLocation: sourceLocation)
        #expect(states.map(\.wireName) == ["CONNECTING", "CONNECTION_FAILED"], sourceLocation: sourceLocation)
        // Exactly one TLS attempt reached the gateway, and no plain-text (ws://) one followed it.
        if let gatewayLogs {
            let lines = await log.wait(for: "tls handshake failed")
            #expect(lines.count == 1, sourceLocation: sourceLocation)
            #expect(lines.first?.contains(gatewayLogs) == true, "\(lines)", sourceLocation: sourceLocation)
        }
        #expect(!log.all.contains { $0.contains("plain-text HTTP") || $0.hasPrefix("connect") }, "\(log.all)", sourceLocation: sourceLocation)
        #expect(gateway.connectionCount == 0, sourceLocation: sourceLocation)
        await gateway.shutdown()
    }

    @Test func theSystemStoreDoesNotTrustAPrivateCA() async throws {
        try await expectRejected(
            pki.loopback, trust: .system, reason: "TLS: certificate not trusted (unknown issuer)", gatewayLogs: "unknown CA")
    }

    @Test func aCertificateFromAnotherCAIsNotTrusted() async throws {
        try await expectRejected(
            pki.loopback, trust: try .pem(Array(pki.otherCA.certificatePEM.utf8)), reason: "TLS: certificate not trusted (unknown issuer)",
            gatewayLogs: "unknown CA")
    }

    @Test func aCertificateForAnotherHostIsRejected() async throws {
        // The handshake itself succeeds (the CA is trusted), so the gateway sees a client hang up, not a TLS alert.
        try await expectRejected(
            pki.wrongHost, trust: try .pem(try pki.caPEM), reason: "TLS: certificate is not valid for 127.0.0.1", gatewayLogs: nil)
    }

    @Test func anExpiredCertificateIsRejected() async throws {
        try await expectRejected(
            pki.expired, trust: try .pem(try pki.caPEM), reason: "TLS: certificate not trusted (expired at ", gatewayLogs: "expired")
    }

    @Test func aTLSClientOnAPlainPortFailsCleanlyAndKeepsRetrying() async throws {
        let log = CapturedLog()
        let gateway = try await ClientTestGateway.start(logger: log.logger)
        let client = OzClient(configuration: configuration(.system))
        let events = EventRecorder(client)
        try await client.connect(serverAddress: "wss://127.0.0.1:\(gateway.port)/", token: ClientTestGateway.token)
        let failed = try await events.waitForState("CONNECTION_FAILED", count: 2, timeout: .seconds(20))
        #expect(failed.reason == "TLS: the server closed the connection during the handshake (a plain ws:// port?)")
        // Not a certificate problem: the gateway may be restarting with TLS, so the usual backoff applies.
        #expect(failed.retry != nil)
        #expect(await log.wait(for: "tls client on a plain port", count: 2).count >= 2)
        await client.shutdown()
        await gateway.shutdown()
    }

    @Test func aPlainClientOnATLSPortFailsCleanly() async throws {
        let log = CapturedLog()
        let gateway = try await ClientTestGateway.start(tls: try gatewayTLS(pki.loopback), logger: log.logger)
        let client = OzClient(configuration: configuration(.system))
        let events = EventRecorder(client)
        try await client.connect(serverAddress: "ws://127.0.0.1:\(gateway.port)/", token: ClientTestGateway.token)
        let failed = try await events.waitForState("CONNECTION_FAILED", timeout: .seconds(20))
        #expect(failed.reason == "the server did not accept the WebSocket upgrade (too many connections from this address, a wss:// port, or not an ozgate)")
        #expect(failed.retry != nil)
        let lines = await log.wait(for: "plain client on the tls port")
        #expect(lines.count == 1, "\(log.all)")
        #expect(log.lines("tls handshake failed").isEmpty)
        #expect(gateway.connectionCount == 0)
        await client.shutdown()
        await gateway.shutdown()
    }

    @Test func caFilesThatCannotBeUsedSaySo() throws {
        let folder = try pki.writeFiles()
        let missing = folder.appendingPathComponent("missing.pem").path
        #expect(throws: ClientTrustError(path: missing, problem: "no such file")) { try ClientTrust.pemFile(missing) }
        let key = folder.appendingPathComponent("key.pem").path
        #expect(throws: ClientTrustError(path: key, problem: "it holds a private key, not a certificate; give the CA's certificate (PEM)")) {
            try ClientTrust.pemFile(key)
        }
        let garbage = folder.appendingPathComponent("garbage.pem")
        try "not a certificate\n".write(to: garbage, atomically: true, encoding: .utf8)
        #expect(throws: ClientTrustError(path: garbage.path, problem: "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")) {
            try ClientTrust.pemFile(garbage.path)
        }
        guard case .certificateAuthorities(let certificates) = try ClientTrust.pemFile(folder.appendingPathComponent("ca.pem").path) else {
            Issue.record("expected the CA")
            return
        }
        #expect(certificates.count == 1)
    }
}
