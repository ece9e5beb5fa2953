/// The `/help` text, the one place it is written: the commands for every front end, then what only the terminal UI has
/// (its keys, the prompt, a log to clear).
public enum CommandHelp {
    /// The lines `/help` shows in `frontEnd`.
    public static func lines(for frontEnd: FrontEnd) -> [String] {
        entries.compactMap { entry in
            switch frontEnd {
            case .terminal: entry.terminal
            case .plain: entry.plain
            }
        }
    }

    /// One help line as each front end shows it (nil: not there).
    private struct Entry {
        var terminal: String?
        var plain: String?

        init(_ both: String) {
            terminal = both
            plain = both
        }

        init(terminal: String?, plain: String?) {
            self.terminal = terminal
            self.plain = plain
        }
    }

    private static let entries: [Entry] = [
        Entry("text                      send text to the room (start with // to send a line beginning with /)"),
        Entry("/msg NICK|NUMBER text     send a private message (NUMBER may be your own)"),
        Entry(
            terminal:
                "/connect [SERVER TOKEN [--server ADDR]... [--nick N] [--avatar URL] [--password P]]   connect with new credentials (alone: the prompt)",
            plain: "/connect SERVER TOKEN [--server ADDR]... [--nick N] [--avatar URL] [--password P]   connect with new credentials"),
        Entry("                          each --server is another server for the room, tried in turn when one fails (cluster nodes)"),
        Entry("                          a password goes only to the servers it was given for: another server needs --password"),
        Entry("/disconnect               leave the room (no automatic reconnect)"),
        Entry("/reconnect                connect again with the current credentials"),
        Entry("/nick NAME                reconnect with a new nickname"),
        Entry("/whois NICK|NUMBER        show every property of a peer (or yourself)"),
        Entry(terminal: "/clear                    clear the log", plain: nil),
        Entry(
            terminal:
                "/join SERVER TOKEN [--server ADDR]... [--nick N] [--avatar URL] [--password P]   open a room in a new window (/join NAME: a saved room)",
            plain: nil),
        Entry(
            terminal: "/part                     leave the room and close its window",
            plain: "/part                     leave the room (as /disconnect)"),
        Entry(terminal: "/window N, /rooms         show window N; list the windows", plain: nil),
        Entry("/help                     this list"),
        Entry("/quit                     disconnect and exit"),
        Entry(
            terminal:
                "keys: PgUp/PgDn scroll the log (Home/End too when the input is empty), Ctrl-P/Ctrl-N scroll the roster, F3 or Ctrl-T toggles it",
            plain: nil),
        Entry(terminal: "keys: F2 credentials prompt, Tab completes nicknames, Up/Down history, Ctrl-L redraws, Ctrl-C quits", plain: nil),
        Entry(
            terminal: "keys: Alt-1…Alt-9, Alt-0 window 1–10, Alt-Left/Right previous/next, Alt-A next with activity (or ESC then the key)",
            plain: nil),
        Entry(
            terminal: "keys: Ctrl-R searches the log backwards (again: older; Enter stays there, Esc goes back)",
            plain: nil),
    ]
}

/// Which user interface runs a command: what `/help` lists and what a command can do there (the terminal UI has a
/// credentials prompt and a log to clear; `--plain` has neither).
public enum FrontEnd: Sendable, Equatable {
    case terminal
    case plain
}
