import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import OzProtocol

/// Says why a gateway's certificate chain was refused, which BoringSSL's error does not (it says only
/// CERTIFICATE_VERIFY_FAILED): a second handshake fetches the chain the gateway presents, and the probe reads its dates.
/// The probe sends no data and closes as soon as it holds the chain, so accepting the chain there trusts nothing; with
/// hostname checks off, the gateway sees a client that hung up after the handshake, and logs nothing.
enum CertificateProbe {
    /// "expired at …", "not valid before …", "an issuing certificate is out of its dates" or "unknown issuer";
    /// nil when the chain could not be fetched (within `timeout`).
    static func detail(address: ServerAddress, timeout: TimeAmount = .seconds(3)) async -> String? {
        guard let chain = await presentedChain(address: address, timeout: timeout) else { return nil }
        return describe(chain, now: time(nil))
    }

    /// What is wrong with a chain the verifier refused, judged by its dates; an in-date chain had an unknown issuer.
    static func describe(_ chain: [NIOSSLCertificate], now: time_t) -> String {
        if let leaf = chain.first {
            if leaf.notValidAfter < now { return "expired at \(text(leaf.notValidAfter))" }
            if leaf.notValidBefore > now { return "not valid before \(text(leaf.notValidBefore))" }
        }
        if chain.dropFirst().contains(where: { $0.notValidAfter < now || $0.notValidBefore > now }) {
            return "an issuing certificate is out of its dates"
        }
        return "unknown issuer"
    }

    private static func text(_ time: time_t) -> String {
        WireTimestamp.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    /// The certificates the gateway presents, leaf first; nil if the handshake did not get that far in time.
    static func presentedChain(address: ServerAddress, timeout: TimeAmount) async -> [NIOSSLCertificate]? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .noHostnameVerification
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let chain = loop.makePromise(of: [NIOSSLCertificate].self)
        let timer = loop.scheduleTask(in: timeout) { chain.fail(ChannelError.connectTimeout(timeout)) }
        let serverName = ServerName.forTLS(address)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName) { certificates, verification in
                        chain.succeed(certificates)
                        verification.succeed(.certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        var channel: (any Channel)?
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            chain.fail(error)
        }
        let certificates = try? await chain.futureResult.get()
        timer.cancel()
        try? await channel?.close()
        return certificates
    }
}
