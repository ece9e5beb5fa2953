import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// What goes from a window's events into its chat log file: live events yes; a grant's snapshot of who is there and
/// fetched history no, though the snapshot still names the people in later lines.
@Suite("Chat log tap")
struct ChatLogTapTests {
    @Test func theSnapshotIsNotLoggedButNamesLaterPrivateMessages() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("oz-tap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = ChatLogWriter(directory: folder) { _ in }
        var tap = ChatLogTap(writer: writer)
        var state = AppState(rooms: [("den", WindowsTests.credentials("a:1"))], size: WindowsTests.size)
        let id = state.windows[0].id
        let date = Date(timeIntervalSince1970: 1_795_780_800)
        func feed(_ event: OzClientEvent) {
            _ = state.reduce(.room(id, event))
            tap.record(event, window: id, state: state, date: date)
        }
        feed(.connectionState(.accessGranted(phoneNumber: "Me001", room: "den")))
        feed(.clientState(ClientInfo(phoneNumber: "Ann01", status: .online, properties: ["Nickname": "Ann"])))
        feed(.rosterSynced(peers: 1))
        let stored = ChatMessage(id: "s1", from: "Ann01", to: "*", text: "said yesterday", ts: "")
        feed(.history(HistoryBatch(kind: .recent, messages: [stored], more: false, oldestID: "s1")))
        feed(.message(ChatMessage(id: "2", from: "Ann01", to: "Me001", text: "psst", ts: "")))
        #expect(writer.close())
        let text = try String(contentsOfFile: "\(folder)/den/\(ChatLogName.file(for: date))", encoding: .utf8)
        let lines = text.split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 1)[1]) }
        #expect(lines == ["ACCESS_GRANTED number=Me001 room=den", "[private] <Ann> psst"], "\(lines)")
    }
}
