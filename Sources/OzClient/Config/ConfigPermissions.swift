import Foundation

/// The check ssh makes of its keys, for a config file that holds a token in plain text.
enum ConfigPermissions {
    /// A warning when the group or others have any access to the file at `path` (mode & 0o077), else nil (also when
    /// the file cannot be examined: reading it has just worked, so that is a race not worth a message).
    static func tokenWarning(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return nil }
        return "\(path) is readable by others (mode \(octal(mode))) and holds a token; chmod 600 \(path)"
    }

    /// `mode` as four octal digits: `0644`.
    static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
