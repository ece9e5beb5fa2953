import Foundation
import Logging
import OzProtocol

/// Writes one logfmt line per event to standard error: `ts=… level=info msg=connect conn=7 number=Qdb3W room=lobby`.
/// Values with spaces, quotes or control characters are quoted and escaped, so a hostile nickname cannot forge a log line.
/// The line goes through a `LogQueue`, so logging never waits for standard error (see there for what is dropped when).
public struct GatewayLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let queue: LogQueue

    public init(label: String, level: Logger.Level, queue: LogQueue = .standardError) {
        self.label = label
        self.logLevel = level
        self.queue = queue
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        queue.append(Self.line(level: event.level, message: event.message.description, metadata: merged))
    }

    /// One logfmt line, newline included, stamped now.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "ts=\(WireTimestampText.now()) level=\(level) msg=\(quote(message))"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(quote(metadata[key]!.description))"
        }
        return line + "\n"
    }

    /// The line that stands for `count` lines dropped because standard error did not take them in time.
    static func droppedLine(count: Int) -> String {
        line(level: .warning, message: "log lines dropped", metadata: ["count": "\(count)", "reason": "standard error is not keeping up"])
    }

    /// Quotes a logfmt value when it needs it, escaping anything that could break the line.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                    || (0x2066...0x2069).contains(scalar.value)
                {
                    out += String(format: "\\u{%04x}", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// The current time as a wire timestamp.
enum WireTimestampText {
    static func now() -> String { WireTimestamp.string(from: Date()) }
}
