import Testing

@testable import OzProtocol

/// Frames whose `clients` array is decoded element by element while parsing must decode exactly as from the tree.
@Suite("Streamed clients decoding")
struct StreamedClientsTests {
    /// Parses `text` handing top-level `clients` elements to a list.
    private func streamed(_ text: String) throws -> (JSONValue, [JSONValue]) {
        var elements: [JSONValue] = []
        let value = try JSONParser.parse(Array(text.utf8), streamingArray: "clients") { elements.append($0) }
        return (value, elements)
    }

    @Test func topLevelArrayElementsGoToTheSinkInOrderAndTheMemberReadsEmpty() throws {
        let (value, elements) = try streamed(#"{"a":1,"clients":[{"x":1},2,"three",[4]],"b":{"clients":[5]}}"#)
        #expect(elements == [.object(["x": .int(1)]), .int(2), .string("three"), .array([.int(4)])])
        #expect(value == .object(["a": .int(1), "clients": .array([]), "b": .object(["clients": .array([.int(5)])])]))
    }

    @Test func onlyAnArrayAtTheTopLevelIsStreamed() throws {
        let (value, elements) = try streamed(#"{"clients":7}"#)
        #expect(elements.isEmpty)
        #expect(value == .object(["clients": .int(7)]))
        let (array, none) = try streamed(#"[{"clients":[1]}]"#)
        #expect(none.isEmpty)
        #expect(array == .array([.object(["clients": .array([.int(1)])])]))
    }

    @Test(arguments: [
        #"{"clients":[1,],"type":"x"}"#, #"{"clients":[1 2]}"#, #"{"clients":[1],"clients":[2]}"#, #"{"clients":["\u00"]}"#,
        #"{"clients":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
    ])
    func malformedInputFailsAtTheSameOffsetEitherWay(text: String) {
        var tree: JSONParseError?
        var stream: JSONParseError?
        do { _ = try JSONParser.parse(text) } catch { tree = error }
        do { _ = try JSONParser.parse(Array(text.utf8), streamingArray: "clients") { _ in } } catch { stream = error }
        #expect(tree != nil)
        #expect(tree == stream)
    }

    @Test func aSnapshotDecodesAsFromTheTree() throws {
        let clients = (0..<300).map { i in
            ClientInfo(phoneNumber: "P\(i)", status: i % 7 == 0 ? .offline : .online, properties: ["Nickname": .string("nick \(i) é"), "n": .int(i)])
        }
        for frame in [
            ServerFrame.accessGranted(phoneNumber: "ME", room: "lobby", clients: clients), .clientStateChanged(clients),
            .accessGranted(phoneNumber: "ME", room: "lobby", clients: []),
        ] {
            let text = frame.encoded
            let fromBytes = try ServerFrame(bytes: text.utf8)
            let fromTree = try ServerFrame(json: JSONParser.parse(text))
            #expect(fromBytes == frame)
            #expect(fromTree == frame)
        }
    }

    @Test(arguments: [
        #"{"type":"clientStateChanged","clients":[{"phoneNumber":"A","status":"ONLINE"},{"phoneNumber":"B","status":"AWAY"},{"status":"ONLINE"}]}"#,
        #"{"type":"clientStateChanged","clients":[{"phoneNumber":"A","status":"ONLINE"},7]}"#,
        #"{"clients":[{"phoneNumber":1,"status":"ONLINE"}],"type":"connectionState","state":"ACCESS_GRANTED","phoneNumber":"M","room":"r"}"#,
        #"{"type":"connectionState","state":"ACCESS_GRANTED","phoneNumber":"M","room":"r","clients":{"phoneNumber":"A"}}"#,
        #"{"type":"connectionState","state":"ACCESS_GRANTED","phoneNumber":"M","room":"r"}"#,
    ])
    func aBadClientListIsTheSameErrorEitherWay(text: String) throws {
        var fromBytes: FrameError?
        var fromTree: FrameError?
        do { _ = try ServerFrame(bytes: text.utf8) } catch { fromBytes = error }
        let json = try JSONParser.parse(text)
        do { _ = try ServerFrame(json: json) } catch { fromTree = error }
        #expect(fromBytes != nil)
        #expect(fromBytes == fromTree)
    }

    @Test func clientsInAFrameThatHasNoneAreIgnoredEvenWhenInvalid() throws {
        let text = #"{"type":"message","id":"1","from":"A","to":"*","text":"hi","ts":"t","clients":[{"bogus":true},3]}"#
        #expect(try ServerFrame(bytes: text.utf8) == .message(ChatMessage(id: "1", from: "A", to: "*", text: "hi", ts: "t")))
    }
}
