import Foundation
import OzClient
import OzProtocol

/// The UI's event loop, on one thread that owns every curses call: it sleeps in poll(2) on standard input and the
/// inbox's wake pipe, feeds keys and client events through `AppState.reduce`, hands effects to the client in order, and
/// redraws at most once per frame.
public final class TUIRuntime: @unchecked Sendable {
    private let terminal: NcursesTerminal
    private let clients: ClientPool
    /// Whether the terminal reports the mouse (the config file's `mouse`).
    private let mouse: Bool
    private var started = ContinuousClock.now
    private var logTap: ChatLogTap?
    private var allGranted: Duration?

    /// What the runtime counted so far (for benchmarks: OZCHAT_STATS_FILE, and the stats the UI writes on request).
    public var statistics: Statistics {
        Statistics(
            redraws: clock.draws, maxRedrawsPerSecond: clock.maxDrawsPerSecond, topRowsRedrawn: terminal.rowsRedrawn[0],
            otherRowsRedrawn: terminal.rowsRedrawn[1], allGranted: allGranted)
    }
    private var state: AppState
    private let inbox = ActionInbox()
    private var clock = FrameClock()
    private let logLines = LogLineCache()
    private let effects: AsyncStream<AppEffect>.Continuation
    private let effectTask: Task<Void, Never>

    /// Statistics for benchmarks: redraws, and the most in any one second.
    public struct Statistics: Sendable {
        public var redraws: Int
        public var maxRedrawsPerSecond: Int
        /// Rows of the screen rebuilt: the top row (the room bar with several windows) and every other row.
        public var topRowsRedrawn: Int
        public var otherRowsRedrawn: Int
        /// From the start of `run` until every window had been granted once (nil: some never was).
        public var allGranted: Duration?
    }

    /// The runtime makes one `OzClient` per window (with `configuration`), whose events go straight into the UI's
    /// inbox; `rooms` open in order, the first shown. The log holds at most about `scrollback` lines in memory per room.
    public init(
        terminal: NcursesTerminal, configuration: OzClientConfiguration = .init(),
        rooms: [(savedName: String?, credentials: Credentials)], alerts: AlertSettings = AlertSettings(),
        savedRooms: [String: [String]] = [:], mouse: Bool = true, chatLogDirectory: String? = nil,
        resolveSaved: @escaping @Sendable (String) async throws -> Credentials = { throw SavedRoomError("no saved room \($0)") },
        scrollback: Int = AppState.defaultScrollback
    ) {
        self.terminal = terminal
        let inbox = self.inbox
        let clients = ClientPool(configuration: configuration, inbox: inbox, resolveSaved: resolveSaved)
        self.clients = clients
        self.state = AppState(rooms: rooms, size: terminal.size, logCapacity: scrollback)
        state.alerts = alerts
        state.savedRooms = savedRooms
        // The log writer's warnings (a full disk) are shown in the window on screen.
        logTap = chatLogDirectory.map { directory in
            ChatLogTap(writer: ChatLogWriter(directory: directory) { warning in inbox.post(.notice(warning)) })
        }
        self.mouse = mouse
        let (stream, continuation) = AsyncStream.makeStream(of: AppEffect.self)
        effects = continuation
        effectTask = Task {
            for await effect in stream { await clients.perform(effect) }
        }
    }

    /// One room, as ozchat opened it before it had windows.
    public convenience init(
        terminal: NcursesTerminal, configuration: OzClientConfiguration = .init(), credentials: Credentials,
        scrollback: Int = AppState.defaultScrollback
    ) {
        self.init(terminal: terminal, configuration: configuration, rooms: [(nil, credentials)], scrollback: scrollback)
    }

    /// Asks the loop to quit gracefully; safe from any thread (signal handlers use it through a dispatch source).
    public func requestQuit() { inbox.requestQuit() }

    /// Shows a line of information in the window on screen (e.g. a warning about the config file); safe from any thread.
    public func notify(_ text: String) { inbox.post(.notice(text)) }

    /// Asks the loop to hand its statistics to `onStatistics` (on the loop's thread); safe from any thread.
    public func requestStatistics() { inbox.requestStatistics() }

    /// Called on the loop's thread with the statistics when `requestStatistics` asked for them (benchmarks).
    public var onStatistics: (@Sendable (Statistics) -> Void)?

    /// Connects with the initial credentials and runs until the user quits. Call on the thread that made the terminal.
    @discardableResult
    public func run() -> Statistics {
        started = .now
        terminal.reportMouse(mouse)
        for window in state.windows { effects.yield(.connect(window.credentials, window: window.id)) }
        var lastTick = ContinuousClock.now
        while !state.quitting, !inbox.shouldQuit {
            let now = ContinuousClock.now
            var timeout = clock.wait(at: now)
            if state.needsTicks { timeout = min(timeout ?? .milliseconds(250), .milliseconds(250)) }
            // A paste whose end marker is lost ends after a quiet spell: look again even if no input comes.
            if terminal.isReadingPaste { timeout = min(timeout ?? .milliseconds(100), .milliseconds(100)) }
            // A redraw already scheduled means we wake at the frame anyway: client events can wait in the inbox
            // until then instead of waking this thread one burst at a time.
            let waiting = inbox.willSleep(napping: clock.dirty)
            poll(timeout: waiting && !clock.dirty ? .zero : timeout)
            while let key = terminal.readKey(timeout: 0) {
                // Ctrl-L (the help's "redraws") repaints the whole screen, as a resize does.
                if key == .control("l") { terminal.invalidate() }
                if key == .resize { dispatch(.resize(terminal.size)) } else { dispatch(.key(key)) }
            }
            for action in inbox.drain() { dispatch(action) }
            if inbox.takeStatisticsRequest() { onStatistics?(statistics) }
            let after = ContinuousClock.now
            if state.needsTicks, after - lastTick >= .milliseconds(250) {
                lastTick = after
                dispatch(.tick(now: after, date: Date()))
            }
            if let wait = clock.wait(at: after), wait == .zero {
                Renderer.render(state, into: terminal, cache: logLines)
                clock.drew(at: after)
            }
        }
        effects.yield(.quit)
        effects.finish()
        let done = DispatchSemaphore(value: 0)
        let clients = self.clients
        Task {
            await clients.endAll()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
        _ = logTap?.writer.close()
        terminal.end()
        return statistics
    }

    private func dispatch(_ action: AppAction) {
        switch action {
        case .client, .room, .key:
            state.date = Date()
            state.now = .now
        default: break
        }
        for effect in state.reduce(action) where effect != .quit {
            if effect == .bell {
                terminal.bell()
            } else {
                effects.yield(effect)
            }
        }
        switch action {
        case .key, .resize: clock.markDirty(urgent: true)
        default: clock.markDirty(urgent: false)
        }
        if case .room(let window, let event) = action { logTap?.record(event, window: window, state: state, date: state.date) }
        if allGranted == nil, case .room(_, .connectionState(.accessGranted)) = action, state.windows.allSatisfy({ $0.myNumber != nil }) {
            allGranted = .now - started
        }
    }

    private func poll(timeout: Duration?) {
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: inbox.wakeFD, events: Int16(POLLIN), revents: 0)]
        let milliseconds: Int32 =
            timeout.map { Int32(min(60_000, max(0, ($0.components.seconds * 1000) + $0.components.attoseconds / 1_000_000_000_000_000))) } ?? 1000
        _ = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), milliseconds) }
    }
}
