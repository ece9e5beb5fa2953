import Foundation
import OzClient
import Testing

/// The example config shipped in Resources (and shown in the README) is a valid config that says what the README says.
@Suite("The example config file")
struct ExampleConfigTests {
    @Test func theShippedExampleParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Resources/ozchat.example.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let file = try ClientConfigFile.parse(text, file: path, environment: ["HOME": "/home/ann"])
        #expect(file.nick == "Ann" && file.history == 200 && file.highlights == ["deploy", "ozchat"] && file.mouse)
        #expect(file.logDirectory == "/home/ann/.local/state/ozchat/logs")
        #expect(file.rooms.map(\.name) == ["lobby", "ops", "team"] && file.rooms.map(\.autojoin) == [true, true, false])
        #expect(file.rooms[2].servers == ["n1.example.org:7779", "n2.example.org:7779", "n3.example.org:7779"])
        #expect(file.rooms[1].passwordCommand == "pass show ozchat/ops")
        // The README's copy is the same text.
        let readme = try String(
            contentsOfFile: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("../README.md").path, encoding: .utf8)
        let body = text.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? ""
        #expect(readme.contains(body))
    }
}
