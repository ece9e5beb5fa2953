import Testing

@testable import OzTUI

@Suite("Input history")
struct InputHistoryTests {
    static func history(_ lines: String...) -> InputHistory {
        var history = InputHistory()
        for line in lines { history.record(line) }
        return history
    }

    @Test func upWalksBackAndDownReturnsToTheDraft() {
        var history = Self.history("one", "two", "three")
        #expect(history.previous(current: "draft") == "three")
        #expect(history.previous(current: "three") == "two")
        #expect(history.previous(current: "two") == "one")
        #expect(history.previous(current: "one") == nil)  // the oldest: stay there
        #expect(history.next() == "two")
        #expect(history.next() == "three")
        #expect(history.next() == "draft")
        #expect(history.next() == nil)  // not browsing any more
        #expect(history.previous(current: "new draft") == "three")
        #expect(history.previous(current: "three") == "two")
        #expect(history.next() == "three")
        #expect(history.next() == "new draft")
    }

    @Test func theDraftIsTakenOnlyWhenBrowsingBegins() {
        var history = Self.history("one", "two")
        #expect(history.previous(current: "typed") == "two")
        #expect(history.previous(current: "two, edited") == "one")
        #expect(history.next() == "two")
        #expect(history.next() == "typed")
    }

    @Test func emptyHistory() {
        var history = InputHistory()
        #expect(history.previous(current: "draft") == nil)
        #expect(history.next() == nil)
    }

    @Test func skipsEmptyLinesAndImmediateRepeats() {
        let history = Self.history("a", "", "a", "b", "a", "a")
        #expect(history.entries == ["a", "b", "a"])
    }

    @Test func keepsTheNewest500() {
        var history = InputHistory()
        for number in 1...600 { history.record("line \(number)") }
        #expect(history.entries.count == 500)
        #expect(history.entries.first == "line 101" && history.entries.last == "line 600")
        var small = InputHistory(capacity: 2)
        for line in ["a", "b", "c"] { small.record(line) }
        #expect(small.entries == ["b", "c"])
    }

    @Test func recordingAndResetStopBrowsing() {
        var history = Self.history("one", "two")
        _ = history.previous(current: "draft")
        _ = history.previous(current: "two")
        history.record("three")
        #expect(history.next() == nil)
        #expect(history.previous(current: "") == "three")
        history.reset()
        #expect(history.next() == nil)
        #expect(history.previous(current: "x") == "three")
    }
}
