/// Coalesces redraws: however many actions arrive, the screen is drawn at most once per frame (1/60 s), and only when
/// something changed. Counts redraws so benchmarks can report the highest rate seen in any one second.
struct FrameClock {
    static let frame = Duration.milliseconds(16) + .microseconds(667)
    private(set) var lastDraw: ContinuousClock.Instant?
    private(set) var draws = 0
    private var secondStart: ContinuousClock.Instant?
    private var drawsThisSecond = 0
    private(set) var maxDrawsPerSecond = 0
    var dirty = true

    /// How long until a pending redraw may happen (zero: now), or nil when nothing needs drawing.
    func wait(at now: ContinuousClock.Instant) -> Duration? {
        guard dirty else { return nil }
        guard let lastDraw else { return .zero }
        return max(.zero, lastDraw + Self.frame - now)
    }

    mutating func drew(at now: ContinuousClock.Instant) {
        dirty = false
        lastDraw = now
        draws += 1
        if let start = secondStart, now - start < .seconds(1) {
            drawsThisSecond += 1
        } else {
            secondStart = now
            drawsThisSecond = 1
        }
        maxDrawsPerSecond = max(maxDrawsPerSecond, drawsThisSecond)
    }
}
