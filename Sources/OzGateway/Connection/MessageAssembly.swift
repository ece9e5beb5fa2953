import NIOWebSocket

/// Reassembly of fragmented client messages: SwiftNIO's `NIOWebSocketFrameAggregator`, bounded by the client message
/// limit, and what each of its errors means on the wire.
enum MessageAssembly {
    /// Most fragments one message may arrive in. A legitimate client sends whole messages or a few large pieces; a
    /// message of 1-byte fragments would cost a frame header and a buffer per byte.
    static let maxFragments = 1024

    /// The aggregator for one connection: whole messages of at most `maxMessageBytes`.
    static func aggregator(maxMessageBytes: Int) -> NIOWebSocketFrameAggregator {
        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: maxFragments, maxAccumulatedFrameSize: maxMessageBytes)
    }

    /// How the connection closes after an aggregator error.
    struct Refusal: Equatable {
        let code: WebSocketErrorCode
        /// The close frame's reason.
        let reason: String
        /// The close log line's reason.
        let endReason: String
    }

    /// The close for an aggregator error (nil for any other error): 1009 for a message over the limit, as PROTOCOL.md
    /// says, 1002 for fragments out of order or too many of them.
    static func refusal(for error: any Error) -> Refusal? {
        guard let error = error as? NIOWebSocketFrameAggregator.Error else { return nil }
        switch error {
        case .accumulatedFrameSizeIsTooLarge:
            return Refusal(code: .messageTooLarge, reason: "message too large", endReason: "message over the client message limit")
        case .tooManyFragments:
            return protocolError("a message in more than \(maxFragments) fragments")
        case .receivedNewFrameWithoutFinishingPrevious:
            return protocolError("new message before the previous one ended")
        case .didReceiveFragmentBeforeReceivingTextOrBinaryFrame:
            return protocolError("continuation frame without a message")
        case .nonFinalFragmentSizeIsTooSmall:
            return protocolError("fragment too small")
        }
    }

    private static func protocolError(_ why: String) -> Refusal {
        Refusal(code: .protocolError, reason: why, endReason: "protocol error: \(why)")
    }
}
