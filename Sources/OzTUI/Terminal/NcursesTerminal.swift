import CNcursesw

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real terminal, drawn with ncursesw.
///
/// Input is raw: Ctrl-C, Ctrl-Z, Ctrl-S, Ctrl-Q and Ctrl-\ arrive as `.control` keys instead of signals or flow control,
/// so the app must treat Ctrl-C as quit. Every call must come from one thread or actor (the class is not Sendable),
/// and the app should `present` after drawing and before reading keys (reading refreshes a window left half drawn).
/// The terminal is restored by `end()`, and by `TerminalRestorer` on a crash, a signal or `exit`.
public final class NcursesTerminal: Terminal {
    /// Why the terminal could not start.
    public enum StartError: Error, CustomStringConvertible {
        /// Standard input or output is not a terminal.
        case notATerminal
        /// curses does not know `TERM` or cannot use the terminal.
        case unusableTerminal(String)

        public var description: String {
            switch self {
            case .notATerminal: "standard input and output must be a terminal"
            case .unusableTerminal(let term): "cannot use the terminal type '\(term)'"
            }
        }
    }

    /// Most scalars one `.text` key gathers from a burst of input (a paste); the rest comes with the next keys.
    static let burstLimit = 1024

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    public let supportsColor: Bool
    private var colorPairs: ColorPairs
    private var cursor = (row: 0, column: 0, visible: false)
    private var cursorShown: Bool?
    /// A raw input read ahead (while gathering a paste or after ESC) and not yet returned.
    private var pendingInput: (status: Int32, value: UInt32)?
    /// The bracketed paste being read, between its start and end markers.
    private var paste: PasteCollector?
    /// The key codes curses reports for the bracketed-paste markers `ESC[200~` and `ESC[201~` (`define_key`); far above
    /// the codes curses gives the terminal's own extended keys (from `KEY_MAX` up).
    static let pasteStartCode: Int32 = 0x7E00
    static let pasteEndCode: Int32 = 0x7E01
    /// Turns the terminal's bracketed paste mode on and off (xterm's mode 2004; terminals without it ignore it).
    static let bracketedPasteOn: StaticString = "\u{1B}[?2004h"
    static let bracketedPasteOff: StaticString = "\u{1B}[?2004l"
    private var ended = false
    /// Rows rebuilt by `present` so far: the top row (the room bar, when shown), and all the others.
    public private(set) var rowsRedrawn = [0, 0]
    private var mouseReporting = false
    /// This frame's draw calls, row by row, and the calls behind what the window holds now: `present` redraws only the
    /// rows whose calls differ, so a frame where only the status bar changed builds one row of cells, not the screen.
    private var frame: [[DrawCall]] = []
    private var shown: [[DrawCall]] = []
    private var shownSize: TerminalSize?

    private struct DrawCall: Equatable {
        var text: String
        var column: Int
        var style: TextStyle
    }

    /// Starts curses (raw keys, no echo, keypad decoding, ESC delay 25 ms, bracketed paste, colours unless `NO_COLOR`
    /// is set to a non-empty value) and has `TerminalRestorer` put the terminal back on a crash, on `exit` and on each of `signals`.
    /// An app that quits gracefully on SIGINT/SIGTERM passes `TerminalRestorer.crashSignals + [SIGHUP, SIGQUIT]`,
    /// installs its own handling afterwards, and calls `end()` when it quits. With `holdingStandardError`, whatever is
    /// written to standard error meanwhile is shown after the terminal is restored instead of over the screen.
    public init(
        restoringOn signals: [Int32] = TerminalRestorer.crashSignals + TerminalRestorer.quitSignals, holdingStandardError: Bool = true
    ) throws(StartError) {
        Self.useUTF8Locale()
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        // Installed before curses starts, so curses keeps its hands off SIGINT/SIGTERM (it only catches default ones).
        TerminalRestorer.save(fileDescriptor: STDIN_FILENO)
        TerminalRestorer.install(signals: signals)
        Self.unblock(signals + [SIGWINCH])
        guard let screen = oz_newterm(), let window = oz_stdscr() else {
            throw .unusableTerminal(getenv("TERM").map { String(cString: $0) } ?? "")
        }
        TerminalRestorer.arm()
        if holdingStandardError { TerminalRestorer.holdStandardError() }
        self.screen = screen
        self.window = window
        raw()
        noecho()
        nonl()
        keypad(window, true)
        _ = oz_set_escdelay(25)
        // The paste markers as keys: curses then matches them whole, within its ESC delay, like any function key.
        _ = define_key("\u{1B}[200~", Self.pasteStartCode)
        _ = define_key("\u{1B}[201~", Self.pasteEndCode)
        Self.write(Self.bracketedPasteOn)
        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        supportsColor = has_colors() && !noColor && start_color() == OK
        colorPairs = ColorPairs(defaultColors: supportsColor && use_default_colors() == OK)
        curs_set(0)
        cursorShown = false
    }

    /// Takes the user's locale, as curses needs; when its character set is not UTF-8 (LANG unset, say), uses
    /// C.UTF-8 for characters instead, since wide characters and their widths only work with a UTF-8 locale.
    static func useUTF8Locale() {
        setlocale(LC_ALL, "")
        guard String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" else { return }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil { return }
    }

    deinit {
        end()
        delscreen(screen)
    }

    /// Rings the terminal bell (BEL), which tmux and most terminals turn into a flag or a sound.
    public func bell() {
        _ = Glibc.write(STDOUT_FILENO, "\u{07}", 1)
    }

    /// Turns mouse reporting on (button presses and the wheel, in xterm's SGR 1006 encoding, set here rather than
    /// through curses: a terminfo entry such as tmux-256color knows only X10's `kmous`, whose columns stop at 223) or
    /// off (the terminal's own selection works again).
    public func reportMouse(_ on: Bool) {
        guard !ended else { return }
        mouseReporting = on
        Self.write(on ? Self.mouseOn : Self.mouseOff)
    }

    static let mouseOn: StaticString = "\u{1B}[?1000h\u{1B}[?1006h"
    static let mouseOff: StaticString = "\u{1B}[?1006l\u{1B}[?1000l"

    /// Leaves curses and restores the terminal as it was; later calls do nothing, and so does everything else after it.
    public func end() {
        guard !ended else { return }
        ended = true
        curs_set(1)
        if mouseReporting { Self.write(Self.mouseOff) }
        Self.write(Self.bracketedPasteOff)
        endwin()
        TerminalRestorer.disarm()
    }

    public var size: TerminalSize {
        var rows: Int32 = 0
        var columns: Int32 = 0
        oz_getmaxyx(window, &rows, &columns)
        return TerminalSize(rows: Int(max(rows, 0)), columns: Int(max(columns, 0)))
    }

    /// Starts a frame: nothing is erased yet; `present` clears and redraws the rows that come out different.
    public func clear() {
        guard !ended else { return }
        frame = Array(repeating: [], count: size.rows)
    }

    /// Draws one grapheme per cell (two for wide ones) without wrapping or moving the cursor, so even the bottom-right
    /// cell is safe; a grapheme that would cross the right edge, and everything after it, is left out. The call is
    /// recorded and carried out by `present`, in order, so later calls still draw over earlier ones.
    public func draw(_ text: String, row: Int, column: Int, style: TextStyle) {
        let size = size
        guard !ended, row >= 0, row < size.rows, column < size.columns else { return }
        if frame.count != size.rows { frame += Array(repeating: [], count: max(0, size.rows - frame.count)) }
        frame[row].append(DrawCall(text: text, column: column, style: style))
    }

    private func put(_ call: DrawCall, row: Int, size: TerminalSize) {
        let (text, column, style) = (call.text, call.column, call.style)
        let attributes = attributes(for: style)
        let pair = supportsColor ? colorPairs.pair(foreground: style.foreground, background: style.background) : 0
        var cells: [cchar_t] = []
        var start: Int?
        var x = column
        var blank = cchar_t()
        _ = setcchar(&blank, [wchar_t(32), 0], attributes, pair, nil)
        // Printable ASCII (most of any screen) is one cell a byte: no grapheme breaking or width lookups.
        if column >= 0, text.utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) {
            cells = text.utf8.prefix(size.columns - column).map { byte in
                var cell = blank
                cell.chars.0 = wchar_t(byte)
                return cell
            }
            if !cells.isEmpty { mvwadd_wchnstr(window, Int32(row), Int32(column), cells, Int32(cells.count)) }
            return
        }
        for grapheme in text {
            guard let cell = GraphemeCell(grapheme) else { continue }
            // DisplayWidth is what the layout measured; where it is wider than the cell ncurses draws (❤️, flags,
            // newer emoji), pad with blanks so everything after stays where the layout put it.
            let width = max(cell.width, DisplayWidth.of(grapheme))
            defer { x += width }
            if x < 0 { continue }
            if x + width > size.columns { break }
            var value = cchar_t()
            guard setcchar(&value, cell.characters, attributes, pair, nil) == OK else { continue }
            start = start ?? x
            cells.append(value)
            for _ in cell.width..<width { cells.append(blank) }
        }
        guard let start else { return }
        mvwadd_wchnstr(window, Int32(row), Int32(start), cells, Int32(cells.count))
    }

    public func setCursor(row: Int, column: Int, visible: Bool) {
        cursor = (row, column, visible)
    }

    /// Makes the next `present` repaint the whole screen from scratch (clear, then every row), whatever curses believes
    /// the terminal shows. Done on every resize: a terminal that passed through another size (a window dragged smaller
    /// and back before we looked) has reflowed or cut our drawing, yet the size curses sees at the end may equal the
    /// one it drew for, so an optimised update would send nothing and leave the screen broken.
    public func invalidate() {
        shownSize = nil
    }

    /// Lets `signals` reach the calling thread, the one that runs curses. A signal mask is inherited across exec, and a
    /// program started by one that blocks signals (a test runner on a thread pool, some launchers) would otherwise
    /// never see SIGWINCH: curses would draw for the old size until a key came.
    private static func unblock(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Copies the screen buffer to the terminal with ncurses' optimised update (only what changed is sent).
    public func present() {
        guard !ended else { return }
        let size = size
        if shownSize != size {
            clearok(window, true)
            werase(window)
            shown = []
            shownSize = size
        }
        for row in 0..<min(size.rows, frame.count) where row >= shown.count || shown[row] != frame[row] {
            rowsRedrawn[row == 0 ? 0 : 1] += 1
            wmove(window, Int32(row), 0)
            wclrtoeol(window)
            for call in frame[row] { put(call, row: row, size: size) }
        }
        shown = frame
        wmove(window, Int32(min(max(cursor.row, 0), max(size.rows - 1, 0))), Int32(min(max(cursor.column, 0), max(size.columns - 1, 0))))
        if cursorShown != cursor.visible {
            curs_set(cursor.visible ? 1 : 0)
            cursorShown = cursor.visible
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `milliseconds` (negative: for ever, 0: not at all) for a key. Returns nil on timeout; keys it does
    /// not know (Alt combinations, Ctrl-arrows, …) are skipped, and so nil does not prove the time has passed.
    /// A burst of printable input (fast typing) comes back as one `.text` of up to `burstLimit` scalars.
    /// `.resize` means `size` has changed and the whole screen must be drawn again.
    ///
    /// A bracketed paste (`ESC[200~ … ESC[201~`) comes back whole as one `.paste`, however many reads it takes to arrive
    /// (nil meanwhile; `isReadingPaste` says to call again soon): see `PasteCollector` for its bounds.
    public func readKey(timeout milliseconds: Int32) -> Key? {
        guard !ended else { return nil }
        var wait = milliseconds
        while true {
            if paste != nil { return continuePaste() }
            guard let input = nextInput(timeout: wait) else { return nil }
            wait = 0
            if let key = key(for: input) { return key }
        }
    }

    /// The key an input starts; nil for one that is skipped or that starts a paste.
    private func key(for input: (status: Int32, value: UInt32)) -> Key? {
        if input.status == KEY_CODE_YES {
            switch Int32(truncatingIfNeeded: input.value) {
            case Self.pasteStartCode:
                paste = PasteCollector(at: .now)
                return nil
            case Self.pasteEndCode: return nil  // an end without a start
            default: break
            }
        }
        let key = Self.decode(status: input.status, value: input.value)
        switch key {
        case .escape: return escapeOrSequence()
        case .text(let text): return gatherBurst(startingWith: text)
        case .resize:
            invalidate()
            return key
        default: return key
        }
    }

    private func nextInput(timeout milliseconds: Int32) -> (status: Int32, value: UInt32)? {
        if let pending = pendingInput {
            pendingInput = nil
            return pending
        }
        wtimeout(window, milliseconds)
        var value: wint_t = 0
        let status = wget_wch(window, &value)
        return status == ERR ? nil : (status, UInt32(truncatingIfNeeded: value))
    }

    /// Gathers the printable input already waiting after the first one; anything else is kept for the next call.
    private func gatherBurst(startingWith first: String) -> Key {
        var text = first
        var scalars = first.unicodeScalars.count
        while scalars < Self.burstLimit, let input = nextInput(timeout: 0) {
            guard case .text(let more) = Self.decode(status: input.status, value: input.value) else {
                pendingInput = input
                break
            }
            text += more
            scalars += more.unicodeScalars.count
        }
        return .text(text)
    }

    /// Whether a bracketed paste is being read: the caller should call `readKey` again within `PasteCollector`'s idle
    /// timeout even without input, so that a paste whose end marker was lost still ends.
    public var isReadingPaste: Bool { paste != nil }

    /// Reads what has arrived of the paste; `.paste` once its end marker (or its idle timeout) comes. Key sequences
    /// inside the pasted text are dropped, never obeyed; a resize is passed on and the paste goes on afterwards.
    private func continuePaste() -> Key? {
        while paste != nil, let input = nextInput(timeout: 0) {
            let now = ContinuousClock.now
            if input.status == KEY_CODE_YES {
                switch Int32(truncatingIfNeeded: input.value) {
                case Self.pasteEndCode: return finishPaste()
                case KEY_RESIZE:
                    invalidate()
                    return .resize
                default: paste?.touch(at: now)
                }
            } else if input.value == 27 {
                // An end marker that curses did not match whole (it came slower than the ESC delay), or ESC in the text.
                if readEscapeSequence() == "[201~" { return finishPaste() }
                paste?.touch(at: now)
            } else {
                paste?.add(input.value, at: now)
            }
        }
        if let paste, paste.isIdle(at: .now) { return finishPaste() }
        return nil
    }

    private func finishPaste() -> Key? {
        guard let text = paste?.text else { return nil }
        paste = nil
        return .paste(text)
    }

    /// ESC alone is `.escape`; ESC with a character straight after it (Alt-x) or an escape sequence curses did not
    /// know (ESC [ … final byte, ESC O x) is swallowed whole so that none of it turns into text. A paste's start marker
    /// that curses did not match whole (its bytes came slower than the ESC delay) starts the paste.
    private func escapeOrSequence() -> Key? {
        guard let sequence = readEscapeSequence() else { return .escape }
        if sequence == "[200~" { paste = PasteCollector(at: .now) }
        if let mouse = MouseEvent(sgr: sequence) { return .mouse(mouse) }
        return Self.altKey(sequence)
    }

    /// The Alt key an escape sequence stands for: ESC and one printable character is Alt with it; xterm's
    /// `ESC[1;3D`/`ESC[1;3C` are Alt-Left/Alt-Right. Anything else is nil (swallowed).
    static func altKey(_ sequence: String) -> Key? {
        switch sequence {
        case "[1;3D": return .altLeft
        case "[1;3C": return .altRight
        default:
            guard sequence.unicodeScalars.count == 1, let scalar = sequence.unicodeScalars.first, scalar.value >= 0x20, scalar.value != 0x7F,
                sequence != "[", sequence != "O"
            else { return nil }
            return .alt(Character(scalar))
        }
    }

    /// After an ESC: the sequence that follows it (`[` with its parameter, intermediate and final bytes, `O` and one
    /// byte, or one character for Alt-x), read and consumed; nil when ESC stands alone (what follows is kept).
    private func readEscapeSequence() -> String? {
        guard let next = nextInput(timeout: 0) else { return nil }
        guard next.status == OK, case .text = Self.decode(status: next.status, value: next.value), let first = Unicode.Scalar(next.value) else {
            pendingInput = next
            return nil
        }
        var sequence = String(first)
        if first == "[" {
            // Parameter and intermediate bytes (0x20–0x3F), then one final byte (0x40–0x7E); a short wait for bytes
            // still on their way, since curses has already given up matching the sequence.
            for _ in 0..<32 {
                guard let byte = nextInput(timeout: 10), byte.status == OK, let scalar = Unicode.Scalar(byte.value) else { break }
                sequence.unicodeScalars.append(scalar)
                if (0x40...0x7E).contains(byte.value) { break }
            }
        } else if first == "O", let byte = nextInput(timeout: 0), let scalar = Unicode.Scalar(byte.value) {
            sequence.unicodeScalars.append(scalar)
        }
        return sequence
    }

    /// Writes a control sequence straight to the terminal, past curses (which does not know the mode).
    private static func write(_ sequence: StaticString) {
        _ = Glibc.write(STDOUT_FILENO, sequence.utf8Start, sequence.utf8CodeUnitCount)
    }

    private func attributes(for style: TextStyle) -> attr_t {
        var attributes = oz_a_normal()
        if style.bold { attributes |= oz_a_bold() }
        if style.reverse { attributes |= oz_a_reverse() }
        if style.dim { attributes |= oz_a_dim() }
        if style.underline { attributes |= oz_a_underline() }
        return attributes
    }
}

extension NcursesTerminal {
    /// Turns one `wget_wch` result into a key: `status` is `OK` for a character (`value` is its code point) or
    /// `KEY_CODE_YES` for a function key (`value` is a `KEY_*` code). ESC alone is `.escape` here (`readKey` looks
    /// further); unknown keys, C0/C1 controls without a meaning and invalid code points are nil.
    static func decode(status: Int32, value: UInt32) -> Key? {
        switch status {
        case KEY_CODE_YES: decodeKeyCode(Int32(truncatingIfNeeded: value))
        case OK: decodeCharacter(value)
        default: nil
        }
    }

    private static func decodeKeyCode(_ code: Int32) -> Key? {
        switch code {
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_UP: .up
        case KEY_DOWN: .down
        // Some terminals (rxvt, the Linux console, tmux's terminfo) send Find/Select for Home/End.
        case KEY_HOME, KEY_FIND: .home
        case KEY_END, KEY_SELECT: .end
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_DC: .delete
        case KEY_BACKSPACE: .backspace
        case KEY_ENTER: .enter
        case KEY_BTAB: .backTab
        case KEY_RESIZE: .resize
        case oz_key_f(1)...oz_key_f(12): .function(Int(code - oz_key_f(0)))
        default: extendedKey(code)
        }
    }

    /// Keys curses knows from the terminfo entry's extended names (codes above KEY_MAX): Alt-Left and Alt-Right.
    private static func extendedKey(_ code: Int32) -> Key? {
        guard code > KEY_MAX, let name = keyname(code).map({ String(cString: $0) }) else { return nil }
        switch name {
        case "kLFT3": return .altLeft
        case "kRIT3": return .altRight
        default: return nil
        }
    }

    private static func decodeCharacter(_ value: UInt32) -> Key? {
        switch value {
        case 9: .tab
        case 10, 13: .enter
        case 8, 127: .backspace
        case 27: .escape
        case 1...26: .control(Character(Unicode.Scalar(UInt8(value) + 0x60)))
        case 0..<0x20, 0x80..<0xA0: nil
        default: Unicode.Scalar(value).map { .text(String($0)) }
        }
    }
}

/// What one grapheme puts in one cell: its first scalar and the zero-width marks after it, and the cells it takes.
///
/// ncurses and the terminal both measure with wcwidth, scalar by scalar, so a grapheme made of several spacing
/// scalars (an emoji ZWJ sequence, a flag, a skin tone) is cut to its first one: 👨‍👩‍👧 is drawn as 👨, two cells.
/// That keeps ncurses' idea of the screen and the terminal's in step (some terminals join such sequences and
/// others do not). Variation selectors and ZWJ are left out for the same reason; an unprintable first scalar
/// becomes U+FFFD; a grapheme that begins with a zero-width scalar (a lone combining mark) is dropped.
struct GraphemeCell {
    /// The wide characters for `setcchar`, NUL-terminated.
    var characters: [wchar_t]
    var width: Int

    init?(_ grapheme: Character) {
        var characters: [wchar_t] = []
        var width = 0
        for scalar in grapheme.unicodeScalars {
            let scalarWidth = Int(oz_wcwidth(wchar_t(bitPattern: scalar.value)))
            if characters.isEmpty {
                if scalarWidth == 0 { return nil }
                characters.append(wchar_t(bitPattern: scalarWidth < 0 ? 0xFFFD : scalar.value))
                width = max(scalarWidth, 1)
            } else if scalarWidth != 0 {
                break
            } else if characters.count < Int(CCHARW_MAX), !Self.isJoinerOrSelector(scalar) {
                characters.append(wchar_t(bitPattern: scalar.value))
            }
        }
        guard !characters.isEmpty else { return nil }
        self.characters = characters + [0]
        self.width = width
    }

    private static func isJoinerOrSelector(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x200D || (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value)
    }
}

/// Colour pairs, made on first use: one per (foreground, background) combination, the terminal's defaults included.
private struct ColorPairs {
    /// Whether the terminal's own colours can be used (-1); otherwise white on black stands for them.
    let defaultColors: Bool
    private var pairs: [Int: Int16] = [:]
    private var next: Int16 = 1

    init(defaultColors: Bool) {
        self.defaultColors = defaultColors
    }

    /// The pair number for a combination, or 0 (the default colours) when the terminal has no pairs left.
    mutating func pair(foreground: TerminalColor?, background: TerminalColor?) -> Int16 {
        let fallback: (foreground: Int16, background: Int16) = defaultColors ? (-1, -1) : (Int16(COLOR_WHITE), Int16(COLOR_BLACK))
        let colors = (foreground.map { Int16($0.rawValue) } ?? fallback.foreground, background.map { Int16($0.rawValue) } ?? fallback.background)
        if colors == fallback { return 0 }
        let key = Int(colors.0 + 1) * 9 + Int(colors.1 + 1)
        if let pair = pairs[key] { return pair }
        guard Int(next) < min(Int(oz_color_pairs()), Int(Int16.max)), init_pair(next, colors.0, colors.1) == OK else { return 0 }
        pairs[key] = next
        next += 1
        return pairs[key] ?? 0
    }
}
