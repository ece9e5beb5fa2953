import NIOCore

/// Sits just in front of NIO's frame encoder (toward the socket, but behind TLS when there is TLS), so a connection can
/// write frames the room encoded once for all its members (see `TextFrame`) without a per-member header allocation.
final class RawFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
}

/// Encodes a server-to-client WebSocket text frame (FIN set, unmasked, as RFC 6455 requires of servers) around a
/// payload, once, so the same bytes can be written to every member.
package enum TextFrame {
    package static func encode(_ payload: ByteBuffer) -> ByteBuffer {
        var payload = payload
        let length = payload.readableBytes
        var frame = ByteBufferAllocator().buffer(capacity: length + 10)
        frame.writeInteger(UInt8(0x81))
        if length < 126 {
            frame.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        } else {
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeBuffer(&payload)
        return frame
    }
}
