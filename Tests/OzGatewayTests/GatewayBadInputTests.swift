import Foundation
import NIOCore
import NIOWebSocket
import OzProtocol
import Testing

@testable import OzGateway

@Suite("Gateway: bad input")
struct GatewayBadInputTests {
    @Test(arguments: [
        ("garbage", ErrorCode.badJSON), ("{\"type\":", .badJSON), ("[1,2]", .badFrame), ("42", .badFrame), ("\"s\"", .badFrame),
        ("null", .badFrame), ("{}", .badFrame), ("{\"type\":\"dance\"}", .unknownType),
        ("{\"type\":\"message\",\"to\":\"*\",\"text\":\"x\"}", .notConnected),
        ("{\"type\":\"disconnect\"}", .notConnected), ("{\"type\":\"connect\"}", .badFrame),
        ("{\"type\":\"connect\",\"token\":\"t\",\"properties\":[1]}", .badFrame),
    ])
    func badFramesBeforeConnectGetErrorsAndTheSessionStaysUsable(text: String, code: ErrorCode) async throws {
        try await TestGateway.with { gateway in
            let socket = try await TestSocket.connect(port: gateway.port)
            try await socket.sendText(text)
            let reply = try await socket.nextFrame()
            guard case .error(let got, let message, _) = reply else {
                Issue.record("expected an error, got \(reply)")
                return
            }
            #expect(got == code)
            #expect(!message.isEmpty)
            try await socket.send(.connect(token: TestGateway.lobbyToken, properties: [:]))
            #expect(try await socket.nextFrame().grantedNumber != nil)
        }
    }

    @Test func binaryFrameIsBadFrame() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await socket.sendFrame(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(string: "{}")))
            #expect(try await socket.nextFrame().errorCode == .badFrame)
            try await socket.send(.message(to: "*", text: "still here"))
            #expect(try await socket.nextFrame().chatMessage?.text == "still here")
        }
    }

    @Test func secondConnectIsAlreadyConnected() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await socket.send(.connect(token: TestGateway.lobbyToken, properties: [:]))
            #expect(try await socket.nextFrame().errorCode == .alreadyConnected)
        }
    }

    @Test func fragmentedMessageIsReassembled() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let text = ClientFrame.message(to: "*", text: "in pieces").encoded
            let bytes = Array(text.utf8)
            try await socket.sendFrame(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(bytes: bytes[..<10])))
            try await socket.sendFrame(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(bytes: bytes[10..<20])))
            try await socket.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(bytes: bytes[20...])))
            #expect(try await socket.nextFrame().chatMessage?.text == "in pieces")
        }
    }

    @Test func oversizeFrameClosesWith1009() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            try await socket.sendText(ClientFrame.message(to: "*", text: String(repeating: "x", count: 70_000)).encoded)
            #expect(await socket.closeCode() == 1009)
        }
    }

    @Test func oversizeFragmentedMessageClosesWith1009() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 40_000)
            try await socket.sendFrame(WebSocketFrame(fin: false, opcode: .text, data: chunk))
            try await socket.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: chunk))
            #expect(await socket.closeCode() == 1009)
        }
    }

    /// Fragments out of order or too many of them are protocol errors (1002), whatever the aggregator calls them.
    @Test(arguments: [
        [(false, WebSocketOpcode.continuation, "orphan")],
        [(false, .text, "{\"type\":"), (true, .text, "{}")],
        Array(repeating: (false, WebSocketOpcode.continuation, "x"), count: MessageAssembly.maxFragments).enumerated().map { index, piece in
            index == 0 ? (false, .text, "x") : piece
        } + [(true, .continuation, "x")],
    ])
    func malformedFragmentsCloseWith1002(frames: [(Bool, WebSocketOpcode, String)]) async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            for (fin, opcode, text) in frames {
                try? await socket.sendFrame(WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text)))
            }
            #expect(await socket.closeCode() == 1002)
        }
    }

    @Test func fragmentsUpToTheLimitStillMakeAMessage() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            let bytes = Array(ClientFrame.message(to: "*", text: String(repeating: "y", count: 4_000)).encoded.utf8)
            let size = (bytes.count + MessageAssembly.maxFragments - 1) / MessageAssembly.maxFragments
            let pieces = stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
            #expect(pieces.count <= MessageAssembly.maxFragments)
            for (index, piece) in pieces.enumerated() {
                let frame = WebSocketFrame(fin: index == pieces.count - 1, opcode: index == 0 ? .text : .continuation, data: ByteBuffer(bytes: piece))
                try await socket.sendFrame(frame)
            }
            #expect(try await socket.nextFrame().chatMessage?.text.count == 4_000)
        }
    }

    @Test func tooManyBadFramesCloseWith1008() async throws {
        try await TestGateway.with { gateway in
            let (socket, _) = try await TestSocket.join(port: gateway.port, token: TestGateway.lobbyToken)
            for _ in 0..<20 { try await socket.sendText("nope") }
            for _ in 0..<20 { #expect(try await socket.nextFrame().errorCode == .badJSON) }
            #expect(await socket.isClosed(within: .milliseconds(200)) == false)
            try await socket.sendText("one too many")
            #expect(await socket.closeCode() == 1008)
        }
    }

    @Test func plainHTTPGets426() async throws {
        try await TestGateway.with { gateway in
            let url = URL(string: "http://127.0.0.1:\(gateway.port)/")!
            let (_, response) = try await URLSession.shared.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 426)
        }
    }
}

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
