/// An automatic reconnect that is scheduled: which retry it is and when it happens, so a UI can count down.
public struct RetryPlan: Sendable, Hashable {
    /// 1 for the first retry after a failure or a long session, growing while the gateway keeps failing us.
    public var attempt: Int
    /// The backoff delay that was drawn.
    public var delay: Duration
    /// When the retry happens: the moment the failure was handled plus `delay`.
    public var deadline: ContinuousClock.Instant

    public init(attempt: Int, delay: Duration, deadline: ContinuousClock.Instant) {
        self.attempt = attempt
        self.delay = delay
        self.deadline = deadline
    }

    /// Time left until the retry at `now`, never negative.
    public func remaining(at now: ContinuousClock.Instant) -> Duration {
        max(.zero, deadline - now)
    }
}
