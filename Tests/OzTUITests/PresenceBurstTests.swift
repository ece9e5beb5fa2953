import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// Joins and leaves close together share one log line; a lone one reads as before; a pause starts a new line.
@Suite("Presence bursts in the log")
struct PresenceBurstTests {
    static func peer(_ n: Int, online: Bool = true) -> AppAction {
        .client(
            .clientState(
                ClientInfo(
                    phoneNumber: String(format: "P%04d", n), status: online ? .online : .offline, properties: ["Nickname": .string("peer\(n)")])))
    }

    @Test func aFloodIsOneLineThatCountsEveryone() {
        var state = AppStateTests.granted()
        let before = state.log.count
        for n in 0..<5_000 { _ = state.reduce(Self.peer(n)) }
        for n in 0..<1_200 { _ = state.reduce(Self.peer(n, online: false)) }
        #expect(state.log.count == before + 1)
        #expect(
            state.log.entries.last?.text
                == "peer0 (P0000), peer1 (P0001), peer2 (P0002) and 4,997 more joined; peer0 (P0000), peer1 (P0001), peer2 (P0002) and 1,197 more left"
        )
        #expect(LogLines.marker(state.log.entries.last!.kind) == "<->")
        #expect(state.roster.count == 2 + 5_000 - 1_200)
    }

    @Test func aLoneJoinReadsAsBeforeAndAPauseStartsANewLine() {
        var state = AppStateTests.granted()
        _ = state.reduce(Self.peer(1))
        #expect(state.log.entries.last?.text == "peer1 (P0001) joined")
        _ = state.reduce(Self.peer(2))
        #expect(state.log.entries.last?.text == "peer1 (P0001), peer2 (P0002) joined")
        state.date += PresenceBurst.window
        _ = state.reduce(Self.peer(2, online: false))
        #expect(state.log.entries.last?.text == "peer2 (P0002) left")
        #expect(LogLines.marker(state.log.entries.last!.kind) == "<--")
    }

    @Test func aMessageInBetweenEndsTheBurst() {
        var state = AppStateTests.granted()
        _ = state.reduce(Self.peer(1))
        let message = ChatMessage(id: "e-1", from: "P0001", to: "*", text: "hi", ts: "2026-11-27T12:00:00.000Z")
        _ = state.reduce(.client(.message(message)))
        _ = state.reduce(Self.peer(2))
        #expect(state.log.entries.suffix(3).map(\.text) == ["peer1 (P0001) joined", "hi", "peer2 (P0002) joined"])
    }

    @Test func aGrowingBurstKeepsAScrolledUpViewStill() {
        var state = AppStateTests.granted(size: TerminalSize(rows: 10, columns: 40))
        for n in 0..<30 {
            _ = state.reduce(.client(.message(ChatMessage(id: "e-\(n)", from: "Ann01", to: "*", text: "line \(n)", ts: "2026-11-27T12:00:00.000Z"))))
        }
        _ = state.reduce(Self.peer(1))
        _ = state.reduce(.key(.pageUp))
        let width = state.layout.log.columns
        let anchor = state.scrollAnchor
        let screen = RenderTests.render(state).lines
        let total = LogLines.totalLines(state.log.entries, width: width)
        #expect(anchor != nil)
        for n in 2..<6 { _ = state.reduce(Self.peer(n)) }  // the burst's text grows to more rows at this width
        let grown = LogLines.totalLines(state.log.entries, width: width)
        #expect(grown > total)
        // The view has not moved: same anchor, same log rows on screen.
        #expect(state.scrollAnchor == anchor)
        let (rows, columns) = (state.layout.log.rows, state.layout.log.columns)
        let logPane = { (lines: [String]) in lines.prefix(rows - 1).map { String($0.prefix(columns)) } }
        #expect(logPane(RenderTests.render(state).lines) == logPane(screen))
    }

    @Test func countsAreGroupedWithoutALocale() {
        #expect(PresenceBurst.grouped(7) == "7")
        #expect(PresenceBurst.grouped(4_997) == "4,997")
        #expect(PresenceBurst.grouped(1_234_567) == "1,234,567")
    }
}
