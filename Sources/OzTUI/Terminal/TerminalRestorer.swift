import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts the terminal back the way it was, however the program ends: on `exit`, on a crash (including Swift traps,
/// which are SIGILL or SIGTRAP) and on the signals it was installed for.
///
/// It does not rely on curses: it writes the usual reset sequences with write(2) (cancel any half-sent sequence, normal
/// character set, plain attributes, full scroll region, leave the alternate screen, show the cursor, normal cursor keys,
/// bracketed paste off)
/// and puts back the termios saved before curses started, with tcsetattr — both async-signal-safe. Then the signal's earlier
/// handler (usually the default, or the Swift runtime's backtracer) gets the signal, so the exit status is right.
/// While curses runs, standard error can be held in an unlinked temporary file (`holdStandardError`), so that stray
/// output cannot scribble over the screen; it is written out (its last 64 KiB) once the terminal is restored, which
/// keeps a crash's "Fatal error: …" line visible instead of losing it with the alternate screen.
/// `NcursesTerminal` drives it; an app that handles SIGINT/SIGTERM itself leaves them out and calls `end()`, or
/// `restore()` from its own signal handler.
public enum TerminalRestorer {
    /// Signals that mean the program has crashed.
    public static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
    /// Signals that ask the program to stop (their default action ends it without any cleanup).
    public static let quitSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]

    /// Whether the terminal needs restoring: set while curses owns it.
    private static let armed = Atomic<Bool>(false)
    /// The terminal's termios from before curses started, and the descriptor it belongs to (-1: none saved).
    nonisolated(unsafe) private static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    private static let savedDescriptor = Atomic<Int32>(-1)
    /// The handler each signal had before ours, by signal number, to hand the signal on to.
    nonisolated(unsafe) private static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(NSIG))
    private static let installed = Mutex<Set<Int32>>([])
    /// The temporary file holding standard error, and the real standard error (-1: not held).
    private static let heldError = Atomic<Int32>(-1)
    private static let originalError = Atomic<Int32>(-1)
    nonisolated(unsafe) private static let heldBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private static let sequence: StaticString = "\u{18}\u{0F}\u{1B}[0m\u{1B}[r\u{1B}[?1049l\u{1B}[?25h\u{1B}[?1l\u{1B}>\u{1B}[?2004l\u{1B}[?1006l\u{1B}[?1000l"

    /// Remembers the terminal modes of `fileDescriptor` as they are now, to restore them later.
    static func save(fileDescriptor: Int32) {
        if tcgetattr(fileDescriptor, saved) == 0 { savedDescriptor.store(fileDescriptor, ordering: .releasing) }
    }

    /// Says the terminal is now in curses' hands (restore it if the program ends).
    static func arm() {
        armed.store(true, ordering: .releasing)
    }

    /// Says the terminal has been restored properly (by endwin): only held standard error is left to write out.
    static func disarm() {
        armed.store(false, ordering: .releasing)
        releaseStandardError()
    }

    /// Restores the terminal now if it is armed, once, and writes out held standard error. Async-signal-safe: an app's
    /// own signal handler may call it.
    public static func restore() {
        if armed.exchange(false, ordering: .acquiringAndReleasing) {
            _ = write(STDOUT_FILENO, sequence.utf8Start, sequence.utf8CodeUnitCount)
            let descriptor = savedDescriptor.load(ordering: .acquiring)
            if descriptor >= 0 { _ = tcsetattr(descriptor, TCSANOW, saved) }
        }
        releaseStandardError()
    }

    /// Sends standard error to an unlinked temporary file until the terminal is restored (see the type's notes).
    public static func holdStandardError() {
        guard heldError.load(ordering: .acquiring) < 0 else { return }
        var template = Array("/tmp/ozchat-stderr-XXXXXX".utf8CString)
        let file = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard file >= 0 else { return }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let original = dup(STDERR_FILENO)
        guard original >= 0, dup2(file, STDERR_FILENO) >= 0 else {
            close(file)
            if original >= 0 { close(original) }
            return
        }
        originalError.store(original, ordering: .releasing)
        heldError.store(file, ordering: .releasing)
    }

    /// Puts standard error back and copies out the tail of what was held. Async-signal-safe (no allocation).
    private static func releaseStandardError() {
        let file = heldError.exchange(-1, ordering: .acquiringAndReleasing)
        guard file >= 0 else { return }
        let original = originalError.exchange(-1, ordering: .acquiringAndReleasing)
        _ = dup2(original, STDERR_FILENO)
        close(original)
        let end = lseek(file, 0, SEEK_END)
        _ = lseek(file, max(0, end - off_t(heldBuffer.count)), SEEK_SET)
        while true {
            let count = read(file, heldBuffer.baseAddress, heldBuffer.count)
            guard count > 0 else { break }
            _ = write(STDERR_FILENO, heldBuffer.baseAddress, count)
        }
        close(file)
    }

    /// Installs the restoring handler for each of `signals` (once each; a signal that is ignored stays ignored),
    /// an alternate signal stack so that a stack overflow is caught too, and an `atexit` hook.
    public static func install(signals: [Int32]) {
        let newSignals = installed.withLock { installed in
            let new = Set(signals).subtracting(installed)
            if installed.isEmpty {
                // Touch the lazily initialised statics now, so the handler never initialises anything.
                _ = (armed.load(ordering: .relaxed), savedDescriptor.load(ordering: .relaxed), saved, previous, sequence.utf8Start, handler)
                _ = (heldError.load(ordering: .relaxed), originalError.load(ordering: .relaxed), heldBuffer)
                atexit { TerminalRestorer.restore() }
                installAlternateStack()
            }
            installed.formUnion(new)
            return new
        }
        for signal in newSignals.sorted() {
            var old = sigaction()
            guard sigaction(signal, nil, &old) == 0, !isIgnored(old) else { continue }
            previous[Int(signal)] = old
            var action = sigaction()
            setHandler(&action)
            action.sa_flags = SA_SIGINFO | SA_ONSTACK | Int32(truncatingIfNeeded: SA_RESETHAND)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Restores the terminal, then hands the signal to the handler that was there before. A fault (SIGSEGV from a bad
    /// access, SIGILL from a Swift trap, …) happens again when the handler returns, with its original details; any
    /// other signal is raised again (it stays blocked, so it arrives when the handler returns).
    private static let handler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = { signal, info, _ in
        TerminalRestorer.restore()
        sigaction(signal, TerminalRestorer.previous + Int(signal), nil)
        let isFault: Bool  // no arrays here: nothing that allocates in a signal handler
        switch signal {
        case SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: isFault = true
        default: isFault = false
        }
        if !isFault || (info?.pointee.si_code ?? 0) <= 0 { raise(signal) }
    }

    private static func setHandler(_ action: inout sigaction) {
        #if canImport(Glibc)
            action.__sigaction_handler.sa_sigaction = handler
        #else
            action.__sigaction_u.__sa_sigaction = handler
        #endif
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
            let current = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        #else
            let current = unsafeBitCast(action.__sigaction_u.__sa_handler, to: Int.self)
        #endif
        return current == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Gives this thread a signal stack unless it has one (the Swift runtime may have set one up already).
    private static func installAlternateStack() {
        var current = stack_t()
        guard sigaltstack(nil, &current) == 0, current.ss_flags & Int32(SS_DISABLE) != 0 else { return }
        let size = 64 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        sigaltstack(&stack, nil)
    }
}
