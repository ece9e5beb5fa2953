import NIOCore

/// A token bucket: `rate` tokens a second up to `burst`, one taken per event. Time is passed in, so it is pure and
/// testable; a `rate` of 0 means unlimited.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: NIODeadline?

    init(rate: Int, burst: Int) {
        self.rate = Double(max(0, rate))
        self.burst = Double(max(1, burst))
        self.tokens = self.burst
    }

    var isUnlimited: Bool { rate == 0 }

    /// Takes one token if there is one; false means the event is over the limit (and costs nothing).
    mutating func take(at now: NIODeadline) -> Bool {
        guard !isUnlimited else { return true }
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket has been full long enough that forgetting it changes nothing.
    func isFull(at now: NIODeadline) -> Bool {
        var copy = self
        copy.refill(at: now)
        return copy.tokens >= burst
    }

    private mutating func refill(at now: NIODeadline) {
        if let last, now > last {
            let seconds = Double((now - last).nanoseconds) / 1e9
            tokens = min(burst, tokens + seconds * rate)
        }
        last = now
    }
}
