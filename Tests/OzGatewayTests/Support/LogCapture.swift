import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps every line (message and metadata) so tests can check what the gateway logged.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = NIOLockedValueBox([String]())
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = "\(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLockedValue { $0.append(text) }
    }

    /// Every line logged so far.
    var all: [String] { lines.withLockedValue { $0 } }

    /// Waits (bounded) until a line containing every one of `parts` was logged.
    func waitFor(_ parts: String..., timeout: Duration = .seconds(5)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = all.first(where: { line in parts.allSatisfy(line.contains) }) { return line }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
