/// A problem with ozchat's config file, pointing at the file and line; ozchat prints it and exits 78 (EX_CONFIG).
public struct ClientConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path (or label) given to `load(path:)` or `parse(_:file:)`.
    public var file: String
    /// The 1-based line, when the problem has one.
    public var line: Int?
    /// What is wrong, for humans.
    public var message: String

    /// Memberwise initializer.
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, or `FILE: message` without a line.
    public var description: String {
        if let line { "\(file):\(line): \(message)" } else { "\(file): \(message)" }
    }
}
