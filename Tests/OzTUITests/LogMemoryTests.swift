import Foundation
import OzClient
import OzProtocol
import Testing

@testable import OzTUI

/// Scrollback bounded by the gateway's retention in a log of bounded memory: paging back past the capacity unloads
/// stored messages far below the view, and scrolling back down fetches them again, in order, none twice.
@Suite("Log memory: unloading and refetching stored messages")
struct LogMemoryTests {
    /// A room's stored messages 1…count, answering `history` requests as the gateway does.
    struct Store {
        let count: Int
        var requests: [(before: String, limit: Int)] = []

        mutating func answer(before: String, limit: Int) -> OzClientEvent {
            requests.append((before, limit))
            let upper = Int(before.dropFirst(2))! - 1
            let lower = max(1, upper - limit + 1)
            let messages = upper < 1 ? [] : (lower...upper).map { AppStateHistoryTests.message($0) }
            return .history(HistoryBatch(kind: .older, messages: messages, more: lower > 1, oldestID: messages.first?.id, before: before))
        }
    }

    /// Presses `key`, answering every history request at once, `times` times; checks the log after each press.
    static func press(_ key: Key, _ times: Int, _ state: inout AppState, _ store: inout Store) {
        for _ in 0..<times {
            var effects = state.reduce(.key(key))
            while let effect = effects.first {
                effects.removeFirst()
                guard case .requestHistory(let before, let limit, _) = effect else { continue }
                effects += state.reduce(.client(store.answer(before: before, limit: limit)))
            }
            checkOrder(state)
        }
    }

    /// The stored messages the log holds are in the room's order, none twice, and the log stays near its capacity.
    static func checkOrder(_ state: AppState) {
        let numbers = state.log.entries.compactMap { $0.origin == .history ? $0.id.flatMap { Int($0.dropFirst(2)) } : nil }
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
        #expect(state.log.count <= state.log.capacity + 3 * AppState.olderPageSize)
    }

    /// A 12×60 screen granted in an empty lobby, keeping `logCapacity` lines.
    static func granted(logCapacity: Int) -> AppState {
        var state = AppState(credentials: AppStateTests.credentials, size: TerminalSize(rows: 12, columns: 60), logCapacity: logCapacity)
        _ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "Me001", room: "lobby"))))
        _ = state.reduce(.client(.rosterSynced(peers: 0)))
        return state
    }

    static func shown(_ state: AppState) -> [String] {
        let scroller = state.logScroller
        guard let bottom = state.scrollAnchor.flatMap(scroller.valid) ?? scroller.bottom else { return [] }
        let top = scroller.up(bottom, by: state.layout.log.rows - 1).anchor
        return (top.entry...bottom.entry).map { state.log.entries[$0 - state.log.dropped].text }
    }

    @Test func pagingBackThroughTenTimesTheCapacityReachesTheBeginningAndScrollingDownRefetches() {
        var state = Self.granted(logCapacity: 400)
        var store = Store(count: 4_000)
        _ = state.reduce(.client(AppStateHistoryTests.recent(3_901...4_000, more: true)))
        _ = state.reduce(.client(.message(ChatMessage(id: "e-4001", from: "Ann01", to: "*", text: "live one", ts: ""))))

        Self.press(.pageUp, 1_000, &state, &store)
        #expect(state.log.entries.first?.text == "beginning of history")
        #expect(Self.shown(state).contains("m1"))
        #expect(state.log.entries.contains { if case .unloaded = $0.kind { true } else { false } })
        #expect(state.log.count <= 400 + AppState.olderPageSize)
        let pagesUp = store.requests.count
        #expect(pagesUp >= 39)

        // Back down to the newest line: every screen on the way shows messages, never an unloaded line, in order.
        var previous = 0
        for _ in 0..<1_000 where state.scrollAnchor != nil {
            Self.press(.pageDown, 1, &state, &store)
            let shown = Self.shown(state)
            #expect(!shown.contains { $0.contains("not loaded") }, "\(shown)")
            let numbers = shown.compactMap { $0.hasPrefix("m") ? Int($0.dropFirst()) : nil }
            #expect(numbers.first.map { $0 >= previous } ?? true)
            previous = numbers.first ?? previous
        }
        #expect(state.scrollAnchor == nil)
        #expect(store.requests.count > pagesUp)  // what was unloaded came back
        #expect(Self.shown(state).last == "live one")
        // And up again: the pages dropped above the view on the way down load again, up to the beginning.
        Self.press(.pageUp, 1_000, &state, &store)
        #expect(state.log.entries.first?.text == "beginning of history")
    }

    @Test func aLogOfLiveLinesOnlyStillStopsPagingWhenFull() {
        var state = Self.granted(logCapacity: 120)
        _ = state.reduce(.client(AppStateHistoryTests.recent(101...110, more: true)))
        for n in 0..<100 { _ = state.reduce(.client(.message(ChatMessage(id: "x-\(n)", from: "Ann01", to: "*", text: "live \(n)", ts: "")))) }
        var store = Store(count: 110)
        Self.press(.pageUp, 20, &state, &store)
        #expect(store.requests.isEmpty)
        #expect(state.log.entries.first?.text == "the scrollback is full: older messages are not loaded")
    }

    @Test func anUnloadedLineTheGatewayNoLongerHasSaysSo() {
        var state = Self.granted(logCapacity: 300)
        var store = Store(count: 2_000)
        _ = state.reduce(.client(AppStateHistoryTests.recent(1_901...2_000, more: true)))
        Self.press(.pageUp, 200, &state, &store)
        #expect(state.log.entries.contains { if case .unloaded = $0.kind { true } else { false } })
        // The store lost them (pruned): the refetch is answered UNKNOWN_MESSAGE.
        var effects: [AppEffect] = []
        for _ in 0..<200 where effects.isEmpty { effects = state.reduce(.key(.pageDown)) }
        guard case .requestHistory(let before, _, _) = effects.first else {
            Issue.record("no refetch asked for: \(effects)")
            return
        }
        _ = state.reduce(.client(.error(code: .unknownMessage, message: "no message \(before)")))
        #expect(state.log.entries.contains { $0.text == "messages no longer stored here" })
        #expect(!state.log.entries.contains { $0.kind.isUnloaded(before: before) })
    }
}

/// The "new" marker of a window keeps pointing at itself while unloading and refetching move the lines around it.
@Suite("Log memory: the new marker")
struct LogMemoryMarkerTests {
    @Test func theNewMarkerIsMovedNotDuplicatedAfterPagesWereUnloadedAboveIt() {
        var state = AppState(
            rooms: [(nil, WindowsTests.credentials("a:1")), (nil, WindowsTests.credentials("b:1"))], size: TerminalSize(rows: 12, columns: 60),
            logCapacity: 300)
        let second = state.windows[1].id
        for (index, room) in ["one", "two"].enumerated() {
            _ = state.reduce(.room(state.windows[index].id, .connectionState(.accessGranted(phoneNumber: "Me00\(index)", room: room))))
            _ = state.reduce(.room(state.windows[index].id, .rosterSynced(peers: 0)))
        }
        _ = state.reduce(.room(second, AppStateHistoryTests.recent(1_901...2_000, more: true)))
        _ = state.reduce(.key(.alt("2")))
        _ = state.reduce(.key(.alt("1")))
        _ = WindowsTests.say("while away", in: 1, &state)  // the marker, above it
        _ = state.reduce(.key(.alt("2")))
        var store = LogMemoryTests.Store(count: 2_000)
        LogMemoryTests.press(.pageUp, 200, &state, &store)  // pages in, and unloads stored runs below the view
        #expect(state.log.entries.contains { if case .unloaded = $0.kind { true } else { false } })
        _ = state.reduce(.key(.alt("1")))
        _ = WindowsTests.say("later", in: 1, &state)
        let texts = state.windows[1].log.entries.map(\.text)
        #expect(texts.filter { $0 == AppState.newMarkerText }.count == 1, "\(texts.suffix(6))")
        #expect(texts.suffix(2) == [AppState.newMarkerText, "later"])
        #expect(texts.contains("while away"))
    }
}
