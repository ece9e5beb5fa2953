import Testing

@testable import OzProtocol

@Suite struct BackoffTests {
    /// A generator that repeats a fixed sequence of words, for reproducible draws.
    struct ScriptedGenerator: RandomNumberGenerator {
        var words: [UInt64]
        var index = 0

        mutating func next() -> UInt64 {
            defer { index = (index + 1) % words.count }
            return words[index]
        }
    }

    @Test(arguments: [
        (0, Duration.milliseconds(500)),
        (1, .seconds(1)),
        (2, .seconds(2)),
        (3, .seconds(4)),
        (4, .seconds(8)),
        (5, .seconds(16)),
        (6, .seconds(30)),
        (7, .seconds(30)),
        (63, .seconds(30)),
        (64, .seconds(30)),
        (1000, .seconds(30)),
        (Int.max, .seconds(30)),
        (-1, .milliseconds(500)),
        (Int.min, .milliseconds(500)),
    ])
    func ceilingDoublesUpToTheCap(attempt: Int, ceiling: Duration) {
        #expect(Backoff.standard.ceiling(forAttempt: attempt) == ceiling)
    }

    @Test func standardIsTheProtocolsPolicy() {
        #expect(Backoff.standard.base == .milliseconds(500))
        #expect(Backoff.standard.cap == .seconds(30))
    }

    @Test func sampleIsAskedForTheFullJitterRange() {
        var ranges: [ClosedRange<Double>] = []
        for attempt in 0..<8 {
            _ = Backoff.standard.delay(forAttempt: attempt) { range in
                ranges.append(range)
                return range.lowerBound
            }
        }
        #expect(ranges == [0...0.5, 0...1, 0...2, 0...4, 0...8, 0...16, 0...30, 0...30])
    }

    @Test func delayIsWhatTheSamplePicks() {
        #expect(Backoff.standard.delay(forAttempt: 3) { $0.upperBound } == .seconds(4))
        #expect(Backoff.standard.delay(forAttempt: 3) { $0.lowerBound } == .zero)
        #expect(Backoff.standard.delay(forAttempt: 3) { $0.upperBound / 4 } == .seconds(1))
    }

    @Test(arguments: [-1.0, 99.0, Double.infinity, -Double.infinity, Double.nan])
    func samplesOutsideTheRangeAreClamped(sample: Double) {
        let delay = Backoff.standard.delay(forAttempt: 2) { _ in sample }
        #expect(delay >= .zero)
        #expect(delay <= .seconds(2))
    }

    @Test func noOverflowForHugeAttempts() {
        for attempt in [100, 1000, 1_000_000, Int.max] {
            #expect(Backoff.standard.delay(forAttempt: attempt) { $0.upperBound } == .seconds(30))
            let drawn = Backoff.standard.delay(forAttempt: attempt)
            #expect(drawn >= .zero && drawn <= .seconds(30))
        }
    }

    @Test func generatorDrawsAreReproducibleAndInBounds() {
        let words: [UInt64] = [0, UInt64.max, 1 << 63, 12_345_678_901_234_567, 42]
        var first = ScriptedGenerator(words: words)
        var second = ScriptedGenerator(words: words)
        for attempt in 0..<40 {
            let a = Backoff.standard.delay(forAttempt: attempt, using: &first)
            let b = Backoff.standard.delay(forAttempt: attempt, using: &second)
            #expect(a == b)
            #expect(a >= .zero && a <= Backoff.standard.ceiling(forAttempt: attempt))
        }
    }

    @Test func systemRandomDrawsStayInBounds() {
        for attempt in 0..<12 {
            for _ in 0..<50 {
                let delay = Backoff.standard.delay(forAttempt: attempt)
                #expect(delay >= .zero && delay <= Backoff.standard.ceiling(forAttempt: attempt))
            }
        }
    }

    @Test func customBaseAndCap() {
        let backoff = Backoff(base: .seconds(1), cap: .seconds(5))
        #expect((0..<5).map(backoff.ceiling(forAttempt:)) == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(Backoff(base: .seconds(10), cap: .seconds(3)).ceiling(forAttempt: 0) == .seconds(3), "the cap wins from the start")
        #expect(Backoff(base: .zero, cap: .seconds(3)).ceiling(forAttempt: 1000) == .zero)
    }
}
