import NIOCore
import NIOPosix
import OzClient
import OzProtocol
import Testing

/// A server that accepts the TCP connection and then says nothing useful: swift-websocket never reports it, so the
/// client's open timeout has to turn it into a failed (and retried) attempt.
@Suite("OzClient open timeout")
struct OpenTimeoutTests {
    /// Accepts connections and closes each one as soon as the client sends its request, without an HTTP answer.
    final class HangUp: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.close(promise: nil) }
    }

    @Test func aServerThatHangsUpWithoutAnAnswerIsAFailedAttemptThatIsRetried() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(HangUp()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        var configuration = OzClientConfiguration.fastRetries
        configuration.openTimeout = .milliseconds(500)
        let client = OzClient(configuration: configuration)
        let events = EventRecorder(client)
        try await client.connect(serverAddress: "127.0.0.1:\(port)", token: ClientTestGateway.token)
        let failed = try await events.waitForState("CONNECTION_FAILED", count: 2, timeout: .seconds(20))
        #expect(failed.reason == "no WebSocket handshake within 0.5 seconds")
        #expect(failed.retry != nil)
        await client.shutdown()
        try await server.close()
    }
}
