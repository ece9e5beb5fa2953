/// Full-jitter exponential backoff: the delay before retry `n` (0-based) is uniformly random in
/// `0…min(cap, base · 2ⁿ)`, which spreads a crowd of clients reconnecting after one gateway restart.
///
/// Randomness is injected (a sampler closure or any `RandomNumberGenerator`) so tests are deterministic.
public struct Backoff: Sendable, Hashable {
    /// The ceiling for attempt 0; it doubles with every attempt.
    public var base: Duration
    /// The largest ceiling, whatever the attempt.
    public var cap: Duration

    /// Makes a backoff; the protocol's values are the defaults.
    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
    }

    /// The protocol's backoff: base 0.5 s, cap 30 s.
    public static let standard = Backoff()

    /// The upper end of the random range for `attempt`: `min(cap, base · 2^attempt)`; negative attempts count as 0.
    ///
    /// Computed in floating point with the exponent clamped, so it neither overflows nor traps for huge attempts.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        .seconds(ceilingSeconds(forAttempt: attempt))
    }

    /// The delay before retry `attempt`, drawn by `sample`, which must return a value in the range it is given
    /// (results outside it are clamped): `{ Double.random(in: $0) }` in production, `{ $0.upperBound }` in a test.
    public func delay(forAttempt attempt: Int, sample: (ClosedRange<Double>) -> Double) -> Duration {
        let range = 0...ceilingSeconds(forAttempt: attempt)
        return .seconds(range.clamped(sample(range)))
    }

    /// The delay before retry `attempt`, drawn from `generator`.
    public func delay<Generator: RandomNumberGenerator>(forAttempt attempt: Int, using generator: inout Generator) -> Duration {
        delay(forAttempt: attempt) { Double.random(in: $0, using: &generator) }
    }

    /// The delay before retry `attempt`, drawn from the system's generator.
    public func delay(forAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(forAttempt: attempt, using: &generator)
    }

    private func ceilingSeconds(forAttempt attempt: Int) -> Double {
        let capSeconds = max(0, cap.seconds)
        // 2^64 times any positive base already exceeds every representable cap, so larger exponents change nothing.
        let exponent = min(max(attempt, 0), 64)
        let grown = max(0, base.seconds) * Double(sign: .plus, exponent: exponent, significand: 1)
        return min(capSeconds, grown)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

extension ClosedRange<Double> {
    /// `value` moved into the range; NaN becomes the lower bound.
    fileprivate func clamped(_ value: Double) -> Double {
        guard !value.isNaN else { return lowerBound }
        return Swift.min(Swift.max(value, lowerBound), upperBound)
    }
}
