import Foundation
import OzClient
import Testing

@Suite("Chat log names")
struct ChatLogNameTests {
    @Test func plainPartsAreKept() {
        #expect(ChatLogName.directory(host: "localhost", port: 7779, room: "lobby") == "localhost_7779_lobby")
        #expect(ChatLogName.directory(host: "chat.example.com", port: 443, room: "ops.team-2") == "chat.example.com_443_ops.team-2")
        #expect(ChatLogName.directory(host: "h", port: 1, room: "") == "h_1_")
    }

    @Test(arguments: [
        ("::1", "lobby"), ("fe80::1", "a/b"), ("h", "../../etc"), ("h", "tab\there"), ("h", "new\nline"), ("h", "café"),
        ("h", String(repeating: "r", count: 300)), ("my_host", "x"),
    ])
    func unsafePartsAreMadeSafe(host: String, room: String) {
        let name = ChatLogName.directory(host: host, port: 7779, room: room)
        #expect(ChatLogName.isSafeDirectory(name), "\(name)")
        #expect(!name.contains("/") && name.first != "." && name.utf8.count <= ChatLogName.maxLength)
        #expect(name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 })
        // Made safe, so a hash of the original parts tells apart inputs that read alike.
        #expect(name.range(of: "_[0-9a-f]{16}$", options: .regularExpression) != nil, "\(name)")
        #expect(ChatLogName.directory(host: host, port: 7779, room: room) == name)
    }

    @Test func distinctInputsStayDistinct() {
        let names = [
            ChatLogName.directory(host: "h", port: 1, room: "a:b"), ChatLogName.directory(host: "h", port: 1, room: "a_b"),
            ChatLogName.directory(host: "h", port: 1, room: "a/b"), ChatLogName.directory(host: "h_1", port: 1, room: "x"),
            ChatLogName.directory(host: "h", port: 1, room: "1_x"),
            ChatLogName.directory(host: "h", port: 1, room: String(repeating: "r", count: 200)),
            ChatLogName.directory(host: "h", port: 1, room: String(repeating: "r", count: 201)),
        ]
        #expect(Set(names).count == names.count, "\(names)")
    }

    @Test(arguments: [
        ("lobby", true), ("ops.team_2-b", true), ("", false), (".", false), ("..", false), (".hidden", false), ("a/b", false),
        ("a b", false), ("é", false), (String(repeating: "a", count: 101), false),
    ])
    func safeDirectories(name: String, safe: Bool) {
        #expect(ChatLogName.isSafeDirectory(name) == safe)
    }

    @Test(arguments: [
        (0.0, "1970-01-01"), (-1.0, "1969-12-31"), (1_709_164_800.0, "2024-02-29"), (1_709_251_199.999, "2024-02-29"),
        (1_709_251_200.0, "2024-03-01"), (1_795_823_999.9, "2026-11-27"), (1_795_824_000.0, "2026-11-28"), (4_102_444_800.0, "2100-01-01"),
        (951_782_400.0, "2000-02-29"),
    ])
    func utcDays(seconds: Double, day: String) {
        #expect(ChatLogName.day(of: Date(timeIntervalSince1970: seconds)) == day)
        #expect(ChatLogName.file(for: Date(timeIntervalSince1970: seconds)) == day + ".log")
    }
}
