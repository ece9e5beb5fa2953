import Foundation
import OzClient
import OzGateway
import OzProtocol
import OzSignals
import OzTUI

/// Runs the ncursesw UI on the calling thread (the main thread: every curses call stays on it) until the user quits.
enum TerminalMode {
    /// Returns false (having shown nothing) when the terminal cannot run curses, so the caller can fall back to `--plain`.
    static func run(credentials: Credentials, configuration: OzClientConfiguration, scrollback: Int) -> Bool {
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal(restoringOn: TerminalRestorer.crashSignals + [SIGHUP, SIGQUIT])
        } catch {
            try? DescriptorWriter.standardError.write("ozchat: cannot start the terminal UI (\(error)); using --plain\n")
            return false
        }
        let runtime = TUIRuntime(terminal: terminal, configuration: configuration, credentials: credentials, scrollback: scrollback)
        let signals = MainThreadWait.run { await QuitSignals.trap() }
        let quit = Task { if await signals.next() != nil { runtime.requestQuit() } }
        let statistics = runtime.run()
        quit.cancel()
        signals.release()
        if let path = ProcessInfo.processInfo.environment["OZCHAT_STATS_FILE"] {
            var text = "redraws=\(statistics.redraws)\nmax_redraws_per_second=\(statistics.maxRedrawsPerSecond)\n"
            text += "top_rows_redrawn=\(statistics.topRowsRedrawn)\nother_rows_redrawn=\(statistics.otherRowsRedrawn)\n"
            if let granted = statistics.allGranted {
                text += "all_granted_ms=\(Double(granted.components.attoseconds) / 1e15 + Double(granted.components.seconds) * 1000)\n"
            }
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return true
    }
}
