import Foundation

/// Names in the chat log tree `LOG_DIR/ROOM/YYYY-MM-DD.log`: a room's directory and a day's file.
public enum ChatLogName {
    /// The longest directory name ``directory(host:port:room:)`` makes, in bytes (well under NAME_MAX, 255).
    public static let maxLength = 100

    /// The directory name for a room opened with SERVER TOKEN: `HOST_PORT_ROOM` (ROOM being the line name the gateway
    /// granted), kept as it is when every character is an ASCII letter, digit, `-`, `_` or `.` (and the host has no `_`,
    /// which could make two hosts and rooms read alike), and the name is at most ``maxLength`` bytes. Otherwise each other
    /// character becomes `_`, a leading `.` becomes `_`, the name is cut to fit, and `_` and 16 hex digits of a hash of
    /// the original parts are added, so that distinct inputs collide only by chance (1 in 2⁶⁴).
    public static func directory(host: String, port: Int, room: String) -> String {
        let raw = "\(host)_\(port)_\(room)"
        var lossy = host.contains("_")
        var name = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if isSafe(scalar) {
                name.append(scalar)
            } else {
                name.append("_")
                lossy = true
            }
        }
        if name.first == "." {
            name.replaceSubrange(name.startIndex..<name.index(after: name.startIndex), with: ["_"])
            lossy = true
        }
        guard lossy || name.count > maxLength else { return String(name) }
        let suffix = "_" + hash(raw)
        return String(String.UnicodeScalarView(name.prefix(maxLength - suffix.count))) + suffix
    }

    /// Whether `name` can be used as a room's directory as it is: 1…``maxLength`` safe ASCII characters, not starting
    /// with `.` (which also rules out `.` and `..`). Saved rooms' names always are (`SavedRoom.isValidName`).
    public static func isSafeDirectory(_ name: String) -> Bool {
        name.utf8.count <= maxLength && !name.isEmpty && name.first != "." && name.unicodeScalars.allSatisfy(isSafe)
    }

    /// The log file's name for the UTC day of `date`: `2026-11-27.log`.
    public static func file(for date: Date) -> String {
        day(of: date) + ".log"
    }

    /// `YYYY-MM-DD` of `date` in UTC (proleptic Gregorian; Howard Hinnant's `civil_from_days`), without Calendar.
    public static func day(of date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let days = Int((seconds / 86_400).rounded(.down))
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".": true
        default: false
        }
    }

    /// FNV-1a, 64 bits, as 16 lowercase hex digits: stable across runs (unlike `Hasher`), which a directory name must be.
    private static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
