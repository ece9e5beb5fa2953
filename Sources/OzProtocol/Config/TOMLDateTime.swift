import Foundation

/// Parses RFC 3339 offset date-times (`2030-01-01T00:00:00Z`, `…T12:30:00.250+01:00`) without Calendar or locales.
/// As in TOML, `t`/`z` may be lowercase and a single space may replace the `T`; leap seconds (`:60`) are rejected.
public enum TOMLDateTime {
    /// Why a text is not a valid date-time.
    public struct Problem: Error, Equatable {
        public var message: String
    }

    /// The instant `text` names, or why it names none.
    public static func parse(_ text: String) -> Result<Date, Problem> {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count, range.allSatisfy({ b[$0] >= 0x30 && b[$0] <= 0x39 }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(b[$1] - 0x30) }
        }
        func has(_ index: Int, _ chars: String) -> Bool { index < b.count && chars.utf8.contains(b[index]) }
        guard let year = digits(0..<4), has(4, "-"), let month = digits(5..<7), has(7, "-"), let day = digits(8..<10) else {
            return .failure(Problem(message: "expected a date written YYYY-MM-DD"))
        }
        guard b.count > 10 else { return .failure(Problem(message: "a time and a UTC offset are required, e.g. 2030-01-01T00:00:00Z")) }
        guard has(10, "Tt "), let hour = digits(11..<13), has(13, ":"), let minute = digits(14..<16), has(16, ":"),
            let second = digits(17..<19)
        else {
            return .failure(Problem(message: "expected a time written THH:MM:SS after the date"))
        }
        var index = 19
        var fraction = 0.0
        if has(index, ".") {
            let start = index + 1
            index = start
            while index < b.count, b[index] >= 0x30, b[index] <= 0x39 { index += 1 }
            guard index > start, let value = Double("0." + String(decoding: b[start..<index], as: UTF8.self)) else {
                return .failure(Problem(message: "expected digits after the decimal point"))
            }
            fraction = value
        }
        var offsetMinutes = 0
        if has(index, "Zz") {
            index += 1
        } else if has(index, "+-"), let offHour = digits(index + 1..<index + 3), has(index + 3, ":"),
            let offMinute = digits(index + 4..<index + 6)
        {
            guard offHour < 24, offMinute < 60 else { return .failure(Problem(message: "UTC offset out of range")) }
            offsetMinutes = (offHour * 60 + offMinute) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return .failure(Problem(message: "a UTC offset is required after the time (Z or ±HH:MM)"))
        }
        guard index == b.count else { return .failure(Problem(message: "unexpected text after the UTC offset")) }
        guard (1...12).contains(month) else { return .failure(Problem(message: "month \(month) is out of range")) }
        guard (1...daysIn(month: month, year: year)).contains(day) else {
            return .failure(Problem(message: "day \(day) is out of range for \(year)-\(month < 10 ? "0" : "")\(month)"))
        }
        guard hour < 24, minute < 60, second < 60 else { return .failure(Problem(message: "time of day out of range")) }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return .success(Date(timeIntervalSince1970: Double(seconds) + fraction))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
