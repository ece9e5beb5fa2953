import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// The mouse: SGR 1006 reports decoded, and what a click or the wheel does where it lands.
@Suite("Mouse")
struct MouseTests {
    @Test func sgrReportsDecodeToZeroBasedCellsPastColumn223() {
        #expect(MouseEvent(sgr: "[<0;12;3M") == MouseEvent(.click, row: 2, column: 11))
        #expect(MouseEvent(sgr: "[<0;300;100M") == MouseEvent(.click, row: 99, column: 299))
        #expect(MouseEvent(sgr: "[<64;5;5M")?.action == .wheelUp)
        #expect(MouseEvent(sgr: "[<65;5;5M")?.action == .wheelDown)
        #expect(MouseEvent(sgr: "[<4;5;5M")?.action == .click)  // with Shift
        #expect(MouseEvent(sgr: "[<0;12;3m") == nil)  // a release
        #expect(MouseEvent(sgr: "[<2;12;3M") == nil)  // the right button
        #expect(MouseEvent(sgr: "[<32;12;3M") == nil)  // motion
        #expect(MouseEvent(sgr: "[<0;0;3M") == nil)
        #expect(MouseEvent(sgr: "[<0;x;3M") == nil)
        #expect(MouseEvent(sgr: "[1;3D") == nil)
    }

    @Test func aClickOnTheRoomBarShowsThatWindow() {
        var state = WindowsTests.three()
        let items = RoomBarView.items(state, columns: state.size.columns)
        let dev = try! #require(items.first { $0.text.contains("3:dev") })
        _ = state.reduce(.key(.mouse(MouseEvent(.click, row: 0, column: dev.column + 2))))
        #expect(state.current == 2)
        _ = state.reduce(.key(.mouse(MouseEvent(.click, row: 0, column: 79))))  // past the last label: nothing
        #expect(state.current == 2)
    }

    @Test func theWheelScrollsTheLogOrTheRosterAndAClickOnANameTypesIt() {
        var state = AppStateTests.granted(size: TerminalSize(rows: 12, columns: 60))
        for n in 0..<50 { _ = state.reduce(.client(.message(ChatMessage(id: "\(n)", from: "Ann01", to: "*", text: "m\(n)", ts: "")))) }
        let log = state.layout.log
        _ = state.reduce(.key(.mouse(MouseEvent(.wheelUp, row: log.row + 2, column: 3))))
        #expect(state.scrollAnchor != nil)
        _ = state.reduce(.key(.mouse(MouseEvent(.wheelDown, row: log.row + 2, column: 3))))
        #expect(state.scrollAnchor == nil)
        // The roster: header, then Me, Ann, bob.
        let roster = state.layout.roster
        _ = state.reduce(.key(.mouse(MouseEvent(.click, row: roster.row + 2, column: roster.column + 5))))
        #expect(state.editor.text == "Ann: ")
        _ = state.reduce(.key(.mouse(MouseEvent(.click, row: roster.row + 3, column: roster.column + 5))))
        #expect(state.editor.text == "Ann: bob ")
        _ = state.reduce(.key(.mouse(MouseEvent(.click, row: roster.row + 8, column: roster.column + 5))))  // an empty row
        #expect(state.editor.text == "Ann: bob ")
    }
}
