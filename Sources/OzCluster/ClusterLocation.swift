import Foundation
import NIOSSL
import PostgresNIO

/// Where a cluster's PostgreSQL is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`
/// (also `postgresql://`). Without a password in the URL, `PGPASSWORD` is used when set, as libpq does.
public struct ClusterLocation: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String
    let password: String?
    public let database: String
    public let sslMode: String

    /// Why a URL cannot be used; the text names the part that is wrong.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Invalid(description: "not a URL: \(text) (expected postgres://USER@HOST:PORT/DATABASE)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw Invalid(description: "the scheme must be postgres://, not \(scheme)://")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(description: "no host in \(text)") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "no user in \(text) (postgres://USER@HOST/DB)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw Invalid(description: "no database in \(text) (postgres://USER@HOST/DB)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid(description: "port \(port) is out of range") }
        var sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", let mode) where ["disable", "prefer", "require"].contains(mode): sslMode = mode
            case ("sslmode", let mode): throw Invalid(description: "sslmode must be disable, prefer or require, not \"\(mode)\"")
            case (let name, _): throw Invalid(description: "unknown URL parameter \"\(name)\" (only sslmode is understood)")
            }
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.user = user
        self.password = components.password ?? environment["PGPASSWORD"]
        self.database = database
        self.sslMode = sslMode
    }

    /// The URL without its password, for logs and errors.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostText):\(port)/\(database)" + (sslMode == "prefer" ? "" : "?sslmode=\(sslMode)")
    }

    /// postgres-nio's configuration for this location.
    func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
