import Logging
import NIOConcurrencyHelpers

/// Collects a gateway's log lines (message and metadata) so a test can check what an operator would read.
public final class CapturedLog: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    public init() {}

    /// A logger at `info` that writes here.
    public var logger: Logger {
        var logger = Logger(label: "test-gateway") { _ in Handler(capture: self) }
        logger.logLevel = .info
        return logger
    }

    /// Every line so far, `message key=value …` with the keys sorted.
    public var all: [String] { lines.withLockedValue { $0 } }

    /// The lines whose message is `message`.
    public func lines(_ message: String) -> [String] { all.filter { $0 == message || $0.hasPrefix(message + " ") } }

    /// Waits up to `timeout` until at least `count` lines have the message; returns them.
    public func wait(for message: String, count: Int = 1, timeout: Duration = .seconds(10)) async -> [String] {
        let deadline = ContinuousClock.now + timeout
        while lines(message).count < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return lines(message)
    }

    /// Waits up to `timeout` for a line that contains every one of `parts`; returns it, or nil.
    public func waitForLine(containing parts: String..., timeout: Duration = .seconds(5)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = all.first(where: { line in parts.allSatisfy(line.contains) }) { return line }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    fileprivate func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: CapturedLog
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let pairs = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }
            capture.append(([event.message.description] + pairs).joined(separator: " "))
        }
    }
}
