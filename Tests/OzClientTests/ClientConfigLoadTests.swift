import Foundation
import OzClient
import OzProtocol
import Testing

/// A fresh directory under the temporary folder, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ozchat-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` in the directory with `mode`; returns its path.
    func write(_ name: String, _ text: String, mode: mode_t) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, mode)
        return file
    }
}

/// The permission bits of `path` (as stat(2) gives them), or -1.
func permissions(_ path: String) -> Int {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    return (attributes?[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

@Suite("ozchat's config file on disk")
struct ClientConfigLoadTests {
    let environment = ["HOME": "/home/ann"]
    static let withToken = "[[room]]\nname = \"work\"\nserver = \"h\"\ntoken = \"secret\"\n"

    @Test func missingFileGivesTheDefaults() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (config, warnings) = try ClientConfigFile.load(path: directory.path + "/none.toml", environment: environment)
        #expect(config == ClientConfigFile.defaults(environment: environment))
        #expect(warnings.isEmpty)
        let error = #expect(throws: ConfigError.self) {
            try ClientConfigFile.load(path: directory.path + "/none.toml", required: true, environment: environment)
        }
        #expect(error?.description == "\(directory.path)/none.toml: no such file")
        let folder = #expect(throws: ConfigError.self) { try ClientConfigFile.load(path: directory.path, environment: environment) }
        #expect(folder?.description == "\(directory.path): is a directory, not a file")
    }

    @Test func errorsNameTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("config.toml", "nick = \"a\"\nbell = \"loud\"\n", mode: 0o600)
        let error = #expect(throws: ConfigError.self) { try ClientConfigFile.load(path: path, environment: environment) }
        #expect(error?.description == "\(path):2: 'bell' must be \"highlight\", \"all\" or \"never\", not \"loud\"")
        let binary = directory.path + "/binary.toml"
        _ = FileManager.default.createFile(atPath: binary, contents: Data([0x6E, 0x3D, 0xFF]))
        let notText = #expect(throws: ConfigError.self) { try ClientConfigFile.load(path: binary, environment: environment) }
        #expect(notText?.description == "\(binary): the file is not valid UTF-8")
    }

    @Test func tokenInAFileOthersCanReadIsAWarning() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let open = try directory.write("open.toml", Self.withToken, mode: 0o644)
        let (config, warnings) = try ClientConfigFile.load(path: open, environment: environment)
        #expect(config.rooms.map(\.name) == ["work"])
        #expect(warnings == ["\(open) is readable by others (mode 0644) and holds a token; chmod 600 \(open)"])

        let groupOnly = try directory.write("group.toml", Self.withToken, mode: 0o640)
        #expect(try ClientConfigFile.load(path: groupOnly, environment: environment).warnings.first?.contains("(mode 0640)") == true)

        let closed = try directory.write("closed.toml", Self.withToken, mode: 0o600)
        #expect(try ClientConfigFile.load(path: closed, environment: environment).warnings.isEmpty)

        let command = Self.withToken.replacingOccurrences(of: "token = \"secret\"", with: "token_command = \"echo secret\"")
        let commandOnly = try directory.write("command.toml", command, mode: 0o644)
        #expect(try ClientConfigFile.load(path: commandOnly, environment: environment).warnings.isEmpty)
    }
}
