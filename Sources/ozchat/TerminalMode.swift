import Foundation
import OzClient
import OzGateway
import OzProtocol
import OzSignals
import OzTUI

/// Runs the ncursesw UI on the calling thread (the main thread: every curses call stays on it) until the user quits.
enum TerminalMode {
    /// What the UI opens and how: the rooms (in window order), the client settings, and the config file's settings.
    struct Options {
        var rooms: [(savedName: String?, credentials: Credentials)]
        var configuration: OzClientConfiguration
        var scrollback: Int
        var file: ClientConfigFile
        /// Warnings about the config file (printed already; shown in the log pane too, which covers the terminal).
        var warnings: [String] = []
    }

    /// Returns false (having shown nothing) when the terminal cannot run curses, so the caller can fall back to `--plain`.
    static func run(_ options: Options) -> Bool {
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal(restoringOn: TerminalRestorer.crashSignals + [SIGHUP, SIGQUIT])
        } catch {
            try? DescriptorWriter.standardError.write("ozchat: cannot start the terminal UI (\(error)); using --plain\n")
            return false
        }
        let file = options.file
        let bell = AlertSettings.Bell(rawValue: file.bell.rawValue) ?? .highlight
        let saved = Dictionary(file.rooms.map { ($0.name, $0.servers) }) { first, _ in first }
        let resolve: @Sendable (String) async throws -> Credentials = { name in
            guard let room = file.room(named: name) else { throw SavedRoomError("no saved room \(name)") }
            do {
                return try await file.resolveCredentials(for: room, fallbackNickname: OzChat.userName)
            } catch {
                throw SavedRoomError("\(error)")
            }
        }
        let runtime = TUIRuntime(
            terminal: terminal, configuration: options.configuration, rooms: options.rooms,
            alerts: AlertSettings(words: file.highlights, bell: bell), savedRooms: saved, mouse: file.mouse,
            chatLogDirectory: file.logDirectory, resolveSaved: resolve, scrollback: options.scrollback)
        for warning in options.warnings { runtime.notify("warning: \(warning)") }
        // OZCHAT_STATS_FILE: the runtime's figures for benchmarks, at exit and whenever SIGUSR1 asks.
        let statisticsPath = ProcessInfo.processInfo.environment["OZCHAT_STATS_FILE"]
        var statisticsSignal: (any DispatchSourceSignal)?
        if let path = statisticsPath {
            runtime.onStatistics = { writeStatistics($0, to: path) }
            signal(SIGUSR1, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
            source.setEventHandler { runtime.requestStatistics() }
            source.resume()
            statisticsSignal = source
        }
        defer { statisticsSignal?.cancel() }
        let signals = MainThreadWait.run { await QuitSignals.trap() }
        let quit = Task { if await signals.next() != nil { runtime.requestQuit() } }
        let statistics = runtime.run()
        quit.cancel()
        signals.release()
        if let path = statisticsPath { writeStatistics(statistics, to: path) }
        return true
    }

    /// Writes the statistics as `key=value` lines (replacing the file).
    static func writeStatistics(_ statistics: TUIRuntime.Statistics, to path: String) {
        var text = "redraws=\(statistics.redraws)\nmax_redraws_per_second=\(statistics.maxRedrawsPerSecond)\n"
        text += "top_rows_redrawn=\(statistics.topRowsRedrawn)\nother_rows_redrawn=\(statistics.otherRowsRedrawn)\n"
        if let granted = statistics.allGranted {
            text += "all_granted_ms=\(Double(granted.components.attoseconds) / 1e15 + Double(granted.components.seconds) * 1000)\n"
        }
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
