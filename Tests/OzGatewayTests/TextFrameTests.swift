import NIOCore
import Testing

@testable import OzGateway

/// Room frames are framed once for every member; the header must be RFC 6455's for each length class.
@Suite("Pre-encoded text frames")
struct TextFrameTests {
    @Test(arguments: [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10), (1_400_000, 10)])
    func headerMatchesTheLength(length: Int, headerBytes: Int) {
        let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: length)
        let frame = TextFrame.encode(payload)
        #expect(frame.readableBytes == length + headerBytes)
        #expect(frame.getInteger(at: 0, as: UInt8.self) == 0x81)
        switch headerBytes {
        case 2: #expect(frame.getInteger(at: 1, as: UInt8.self) == UInt8(length))
        case 4:
            #expect(frame.getInteger(at: 1, as: UInt8.self) == 126)
            #expect(frame.getInteger(at: 2, as: UInt16.self) == UInt16(length))
        default:
            #expect(frame.getInteger(at: 1, as: UInt8.self) == 127)
            #expect(frame.getInteger(at: 2, as: UInt64.self) == UInt64(length))
        }
        #expect(frame.getSlice(at: headerBytes, length: length) == payload)
    }
}
