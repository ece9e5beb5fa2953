import Foundation

/// A private PostgreSQL server for tests: a fresh cluster (`initdb`) in a temporary folder, started with `pg_ctl` on a
/// free loopback port and stopped (and removed) by `stop()`. PostgreSQL refuses to run as root, so when the tests run
/// as root (as CI does) the server runs as the `postgres` user that Debian's package creates. Durable settings are
/// PostgreSQL's defaults; `fast: true` turns fsync off (what tests that do not restart the server use).
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    public let folder: String
    /// The database tests connect to, and the user (trusted: no password on loopback).
    public let database = "postgres"
    public let user = "ozgate"
    private let binaries: String
    private let fast: Bool

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `postgres://USER@127.0.0.1:PORT/DB`, as `ozgate --cluster` takes it.
    public var url: String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Makes and starts a server; throws (with PostgreSQL's own words) when it cannot.
    public init(fast: Bool = true) throws {
        guard let binaries = Self.findBinaries() else {
            throw Failure(description: "PostgreSQL's initdb and pg_ctl are not installed (.ci/install-deps installs them)")
        }
        self.binaries = binaries
        self.fast = fast
        folder = try TemporaryFolder.make().path
        port = try TemporaryFolder.freePort()
        if geteuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", folder]) }
        try runAsOwner("initdb", ["-D", "\(folder)/data", "-U", user, "--auth=trust", "-E", "UTF8", "--no-locale"])
        try start()
    }

    /// The directory holding PostgreSQL's programs: Debian's versioned folder, or wherever `pg_ctl` is on the PATH.
    static func findBinaries() -> String? {
        let debian = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(debian)/\(newest)/bin/initdb") {
            return "\(debian)/\(newest)/bin"
        }
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(path)/initdb") {
            return String(path)
        }
        return nil
    }

    private var options: String {
        "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1" + (fast ? " -c fsync=off -c synchronous_commit=off" : "")
    }

    /// Starts the server (waits until it accepts connections).
    public func start() throws {
        try runAsOwner("pg_ctl", ["-D", "\(folder)/data", "-o", options, "-l", "\(folder)/server.log", "-w", "-t", "60", "start"])
    }

    /// Restarts it as an operator would (`pg_ctl restart -m fast`): every connection is dropped.
    public func restart() throws {
        try runAsOwner("pg_ctl", ["-D", "\(folder)/data", "-o", options, "-l", "\(folder)/server.log", "-m", "fast", "-w", "-t", "60", "restart"])
    }

    /// Stops the server; it can be started again.
    public func halt() throws {
        try runAsOwner("pg_ctl", ["-D", "\(folder)/data", "-m", "fast", "-w", "-t", "60", "stop"])
    }

    /// Stops the server and removes its folder.
    public func stop() {
        try? halt()
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit { stop() }

    private func runAsOwner(_ program: String, _ arguments: [String]) throws {
        if geteuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", "\(binaries)/\(program)"] + arguments)
        } else {
            try Self.run("\(binaries)/\(program)", arguments)
        }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let (status, output) = Spawn.run([executable] + arguments)
        guard status == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
        }
        return output
    }
}
