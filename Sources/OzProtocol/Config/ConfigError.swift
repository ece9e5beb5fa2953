import Foundation

/// A problem with a config file (ozgate's or ozchat's), pointing at the file and line; the program prints it and exits
/// 78 (EX_CONFIG).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
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

extension ConfigError {
    /// The text of the config file at `path`, which must be a readable file of valid UTF-8; errors name `path`.
    public static func readText(path: String) throws(ConfigError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, line: nil, message: "no such file")
        }
        guard !isDirectory.boolValue else { throw ConfigError(file: path, line: nil, message: "is a directory, not a file") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as? CocoaError)?.code == .fileReadNoPermission ? "permission denied" : error.localizedDescription
            throw ConfigError(file: path, line: nil, message: "cannot read the file: \(reason)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(file: path, line: nil, message: "the file is not valid UTF-8")
        }
        return text
    }
}
