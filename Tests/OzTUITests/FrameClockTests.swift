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
        clock.drew(at: start)  // the startup frame
        clock.markDirty(urgent: false)  // e.g. ACCESS_GRANTED just after: drawn at the input rate, not 1/10 s later
        #expect(clock.wait(at: start + .milliseconds(5)) == .milliseconds(11) + .microseconds(667))
        clock.drew(at: start + .milliseconds(17))
        clock.markDirty(urgent: false)  // the next network-only frame waits 1/10 s after that one
        #expect(clock.wait(at: start + .milliseconds(20)) == .milliseconds(97))
        clock.markDirty(urgent: true)  // a key while a background frame waits: drawn at the input rate
        #expect(clock.wait(at: start + .milliseconds(40)) == .zero)
        clock.drew(at: start + .milliseconds(40))
        #expect(clock.wait(at: start + .seconds(2)) == nil)
        clock.markDirty(urgent: false)  // a message after a quiet spell: drawn at once
        #expect(clock.wait(at: start + .seconds(2)) == .zero)
        clock.drew(at: start + .seconds(2))
        var now = start
        for n in 0..<10_000 {  // then a second of network events only
            now = start + .seconds(3) + .microseconds(n * 100)
            clock.markDirty(urgent: false)
            if clock.wait(at: now) == .zero { clock.drew(at: now) }
        }
        #expect(clock.maxDrawsPerSecond <= 11)
        #expect(clock.maxDrawsPerSecond >= 9)
    }
}
