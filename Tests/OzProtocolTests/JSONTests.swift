import Foundation
import Testing

@testable import OzProtocol

@Suite("JSON parser and writer")
struct JSONTests {
    @Test(arguments: [
        #"{}"#, #"[]"#, #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#, #"-0.5e+10"#, #"12345678901234567890"#, #"1.50"#,
        #""\u0000\u001f\"\\\n\r\t""#, #""😀 李 é""#, #"{"z":1,"a":2}"#,
    ])
    func roundTripsExactly(text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.string(value) == text)
    }

    @Test func escapesDecodeToScalars() throws {
        #expect(try JSONParser.parse(#""\u00e9\ud83d\ude00\/\b\f""#) == .string("é😀/\u{08}\u{0C}"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", "1e", "-", "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "{\"a\":1,\"a\":2}", "[1] x", "\"a\u{01}\"", "NaN", "{\"a\" 1}", "[1 2]",
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
    }

    @Test(arguments: [2, 15, 16, 17, 40])
    func duplicateKeysAreRejectedInSmallAndLargeObjects(count: Int) throws {
        let keys = (0..<count).map { "\"k\($0)\":\($0)" }
        #expect(try JSONParser.parse("{" + keys.joined(separator: ",") + "}").objectValue?.count == count)
        for duplicate in [0, count / 2, count - 1] {
            let text = "{" + (keys + ["\"k\(duplicate)\":null"]).joined(separator: ",") + "}"
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        }
    }

    @Test func asciiAndNonASCIIStringsDecodeAlike() throws {
        let parsed = try JSONParser.parse(#"["plain","caf\u00e9","é","\u007f~"]"#)
        #expect(parsed == .array([.string("plain"), .string("café"), .string("é"), .string("\u{7F}~")]))
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(fine)
    }

    @Test func objectKeepsOrderAndRemovesPasswordsIgnoringCase() throws {
        let object = try #require(try JSONParser.parse(#"{"b":1,"Password":"x","a":2,"PASSWORD":"y","passwordHint":"z"}"#).objectValue)
        #expect(object.password == "x")
        #expect(object.withoutPasswords.keys == ["b", "a", "passwordHint"])
    }
}

@Suite("Frames")
struct FrameTests {
    static let frames: [ServerFrame] = [
        .accessGranted(
            phoneNumber: "Qdb3W", room: "lobby",
            clients: [ClientInfo(phoneNumber: "1500", status: .online, properties: ["Nickname": "John", "n": .array([.null, .bool(true)])])]),
        .accessDenied(reason: "unknown token"),
        .connectionClosed(reason: .replaced),
        .clientStateChanged([ClientInfo(phoneNumber: "Xk29a", status: .offline)]),
        .message(ChatMessage(id: "m-41", from: "1500", to: "*", text: "hi all ☃", ts: "2026-11-27T12:00:00.123Z")),
        .error(code: .rateLimited, message: "slow down"),
    ]

    @Test(arguments: frames)
    func serverFramesRoundTrip(frame: ServerFrame) throws {
        #expect(try ServerFrame(bytes: Array(frame.encoded.utf8)) == frame)
    }

    @Test(arguments: [ClientFrame.connect(token: "t", properties: ["Nickname": "Ann"]), .message(to: "*", text: "x\ny"), .disconnect])
    func clientFramesRoundTrip(frame: ClientFrame) throws {
        #expect(try ClientFrame(bytes: Array(frame.encoded.utf8)) == frame)
    }

    @Test func unknownFieldsAreIgnored() throws {
        let frame = try ClientFrame(bytes: Array(#"{"type":"message","to":"*","text":"x","future":{"a":1}}"#.utf8))
        #expect(frame == .message(to: "*", text: "x"))
    }

    @Test(arguments: [
        ("garbage", ErrorCode.badJSON), ("[1,2]", .badFrame), ("42", .badFrame), (#""text""#, .badFrame), ("{}", .badFrame),
        (#"{"type":7}"#, .badFrame), (#"{"type":"dance"}"#, .unknownType), (#"{"type":"message","to":"*"}"#, .badFrame),
        (#"{"type":"message","to":"*","text":5}"#, .badFrame), (#"{"type":"connect"}"#, .badFrame),
        (#"{"type":"connect","token":"t","properties":[]}"#, .badFrame),
    ])
    func badClientFramesMapToErrorCodes(text: String, code: ErrorCode) {
        #expect(throws: FrameError.self) { try ClientFrame(bytes: Array(text.utf8)) }
        do {
            _ = try ClientFrame(bytes: Array(text.utf8))
        } catch {
            #expect(error.code == code)
        }
    }

    @Test func timestampsAreRFC3339UTCWithMilliseconds() {
        let text = WireTimestamp.string(from: Date(timeIntervalSince1970: 1_795_780_800.123))
        #expect(text == "2026-11-27T12:00:00.123Z")
        #expect(WireTimestamp.date(from: text).map { abs($0.timeIntervalSince1970 - 1_795_780_800.123) < 0.001 } == true)
    }
}
