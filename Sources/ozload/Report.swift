import Foundation
import OzProtocol

/// One figure of a scenario's result.
enum ReportValue: Sendable {
    case int(Int)
    case number(Double, unit: String)
    case text(String)
    case flag(Bool)

    var json: String {
        switch self {
        case .int(let v): String(v)
        case .number(let v, _): v.isFinite ? String(format: "%.6g", v) : "null"
        case .text(let s): "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .flag(let b): b ? "true" : "false"
        }
    }

    var human: String {
        switch self {
        case .int(let v): String(v)
        case .number(let v, let unit): String(format: "%.3f", v) + (unit.isEmpty ? "" : " \(unit)")
        case .text(let s): s
        case .flag(let b): b ? "yes" : "no"
        }
    }
}

/// A scenario's figures in a fixed order, printed as an aligned table or (`--json`) one JSON object.
struct Report: Sendable {
    let scenario: String
    private(set) var entries: [(key: String, value: ReportValue)] = []
    /// Whether the scenario's own correctness checks passed (exit status 1 when not).
    var ok = true

    init(scenario: String) { self.scenario = scenario }

    mutating func add(_ key: String, _ value: ReportValue) { entries.append((key, value)) }
    mutating func add(_ key: String, _ value: Int) { add(key, .int(value)) }
    mutating func add(_ key: String, _ value: Double, _ unit: String = "") { add(key, .number(value, unit: unit)) }
    mutating func add(_ key: String, _ value: String) { add(key, .text(value)) }

    /// Adds `KEY_p50_ms`, `_p99_ms`, `_p999_ms`, `_max_ms` and `_mean_ms` from a nanosecond histogram.
    mutating func addLatency(_ key: String, _ histogram: LatencyHistogram) {
        for (name, p) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9)] {
            add("\(key)_\(name)_ms", Double(histogram.value(atPercentile: p)) / 1e6, "ms")
        }
        add("\(key)_max_ms", Double(histogram.maxRecorded) / 1e6, "ms")
        add("\(key)_mean_ms", histogram.mean / 1e6, "ms")
        add("\(key)_samples", Int(histogram.totalCount))
    }

    func print(json: Bool) {
        var lines: [String] = []
        if json {
            let body = ([("scenario", ReportValue.text(scenario)), ("ok", .flag(ok))] + entries)
                .map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",")
            lines.append("{" + body + "}")
        } else {
            lines.append("ozload \(scenario): \(ok ? "OK" : "FAILED")")
            let width = entries.map(\.key.count).max() ?? 0
            for (key, value) in entries {
                lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value.human)
            }
        }
        // A reader that has gone (`ozload … | head -1`) has taken what it wanted: the run's exit status stands.
        try? DescriptorWriter.standardOutput.write(lines.map { $0 + "\n" }.joined())
    }
}

/// Progress lines on standard error (never mixed into `--json` output).
func note(_ text: String) {
    try? DescriptorWriter.standardError.write("ozload: \(text)\n")
}
