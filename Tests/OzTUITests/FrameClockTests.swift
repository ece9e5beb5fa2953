import Testing

@testable import OzTUI

/// Redraw coalescing: a burst of actions becomes at most one redraw per frame.
@Suite("Frame clock")
struct FrameClockTests {
    @Test func aBurstOfEventsInOneSecondDrawsAtMostSixtyTimes() {
        var clock = FrameClock()
        let start = ContinuousClock.now
        var now = start
        // 10,000 events over one second, each marking the screen dirty; draw whenever the clock allows.
        for n in 0..<10_000 {
            now = start + .microseconds(n * 100)
            clock.markDirty(urgent: true)
            if clock.wait(at: now) == .zero { clock.drew(at: now) }
        }
        #expect(clock.draws <= 61)
        #expect(clock.draws >= 55)
        #expect(clock.maxDrawsPerSecond <= 60)
    }

    @Test func nothingDirtyNothingToDraw() {
        var clock = FrameClock()
        let now = ContinuousClock.now
        #expect(clock.wait(at: now) == .zero)
        clock.drew(at: now)
        #expect(clock.wait(at: now + .seconds(1)) == nil)
        clock.markDirty(urgent: true)
        #expect(clock.wait(at: now + .milliseconds(5)) == .milliseconds(16) + .microseconds(667) - .milliseconds(5))
    }

    @Test func networkOnlyChangesAreDrawnTenTimesASecondAndInputAtSixty() {
        var clock = FrameClock()
        let start = ContinuousClock.now
        clock.drew(at: start)
        clock.markDirty(urgent: false)
        #expect(clock.wait(at: start + .milliseconds(20)) == .milliseconds(80))
        clock.markDirty(urgent: true)  // a key while a background frame waits: drawn at the input rate
        #expect(clock.wait(at: start + .milliseconds(20)) == .zero)
        clock.drew(at: start + .milliseconds(20))
        #expect(clock.wait(at: start + .seconds(2)) == nil)
        clock.markDirty(urgent: false)  // a message after a quiet spell: drawn at once
        #expect(clock.wait(at: start + .seconds(2)) == .zero)
        var now = start
        for n in 0..<10_000 {  // a second of network events only
            now = start + .microseconds(n * 100)
            clock.markDirty(urgent: false)
            if clock.wait(at: now) == .zero { clock.drew(at: now) }
        }
        #expect(clock.maxDrawsPerSecond <= 11)
        #expect(clock.maxDrawsPerSecond >= 9)
    }
}
