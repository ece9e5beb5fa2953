import Foundation

/// The per-user file through which an embedded `ozgate` tells a local `ozchat` where it listens and its lobby token.
/// It lives at `$XDG_STATE_HOME/ozchat/gateway` (default `~/.local/state/ozchat/gateway`), mode 0600 in a 0700 folder,
/// and holds `server=URL` and `token=TOKEN` lines. The token is kept across gateway restarts so clients can reconnect.
public struct LocalGatewayFile: Sendable, Equatable {
    public var server: String
    public var token: String

    public init(server: String, token: String) {
        self.server = server
        self.token = token
    }

    /// The documented location, from the environment.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateHome = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            stateHome = home + "/.local/state"
        }
        return stateHome + "/ozchat/gateway"
    }

    /// Where the embedded gateway whose token file is `tokenPath` keeps its history: `history.sqlite` beside it.
    public static func historyPath(besideTokenFile tokenPath: String) -> String {
        (tokenPath as NSString).deletingLastPathComponent + "/history.sqlite"
    }

    /// Reads the file; nil when it does not exist. A malformed file is an error that names it.
    public static func read(path: String) throws -> LocalGatewayFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let server = values["server"], let token = values["token"], !token.isEmpty, token.count <= WireLimits.maxTokenLength else {
            throw LocalGatewayFileError(path: path, message: "expected server=… and token=… lines")
        }
        return LocalGatewayFile(server: server, token: token)
    }

    /// Writes the file atomically with mode 0600, creating its folder with mode 0700.
    public func write(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw LocalGatewayFileError(path: path, message: String(cString: strerror(errno))) }
        let bytes = Array("server=\(server)\ntoken=\(token)\n".utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw LocalGatewayFileError(path: path, message: "could not write the file")
        }
    }

    /// A fresh random token: 32 characters from a cryptographic generator.
    public static func makeToken() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

/// A problem reading or writing the local gateway file.
public struct LocalGatewayFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}
