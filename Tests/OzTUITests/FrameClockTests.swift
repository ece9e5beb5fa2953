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
            clock.dirty = true
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
        clock.dirty = true
        #expect(clock.wait(at: now + .milliseconds(5)) == .milliseconds(16) + .microseconds(667) - .milliseconds(5))
    }
}
