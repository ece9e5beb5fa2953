/// Coalesces redraws: however many actions arrive, the screen is drawn at most once per frame, and only when something
/// changed. Frames are at most 1/60 s apart; a frame drawn only for the network's sake (nothing the user did is
/// waiting) comes at least 1/10 s after the previous such frame. So a message or a state change after a quiet spell
/// (or right after the startup frame) is drawn at once, and only a sustained stream (a join/leave flood, a busy room)
/// is held to 10 redraws a second, which no one reads faster: each redraw saved is a frame built, diffed and written
/// through the terminal.
/// Counts redraws so benchmarks can report the highest rate seen in any one second.
struct FrameClock {
    static let frame = Duration.milliseconds(16) + .microseconds(667)
    static let backgroundFrame = Duration.milliseconds(100)
    private(set) var lastDraw: ContinuousClock.Instant?
    /// The last frame drawn for the network alone.
    private var lastBackgroundDraw: ContinuousClock.Instant?
    private(set) var draws = 0
    private var secondStart: ContinuousClock.Instant?
    private var drawsThisSecond = 0
    private(set) var maxDrawsPerSecond = 0
    private(set) var dirty = true
    /// Whether the pending change came from the user (keys, resize): those are drawn at the full frame rate.
    private(set) var urgent = true

    /// Something changed; `urgent` for the user's own input.
    mutating func markDirty(urgent: Bool) {
        dirty = true
        self.urgent = self.urgent || urgent
    }

    /// How long until a pending redraw may happen (zero: now), or nil when nothing needs drawing.
    func wait(at now: ContinuousClock.Instant) -> Duration? {
        guard dirty else { return nil }
        guard let lastDraw else { return .zero }
        var next = lastDraw + Self.frame
        if !urgent, let lastBackgroundDraw { next = max(next, lastBackgroundDraw + Self.backgroundFrame) }
        return max(.zero, next - now)
    }

    mutating func drew(at now: ContinuousClock.Instant) {
        if !urgent { lastBackgroundDraw = now }
        dirty = false
        urgent = false
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
