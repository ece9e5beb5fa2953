import Foundation
import OzProtocol

extension AccessDirectory {
    /// Builds the directory from a parsed config file: plain secrets are hashed here and then dropped;
    /// `token_hash` must be a sha256 hash and `password_hash` a scrypt hash, as `ozgate hash-secret` prints them.
    public init(configFile: GatewayConfigFile, path: String) throws(ConfigError) {
        var lines: [LineCredential] = []
        for entry in configFile.lines {
            let hash: SecretHash
            switch entry.token {
            case .plain(let token): hash = .token(token)
            case .hashed(let text):
                guard let parsed = try? SecretHash(parsing: text), case .sha256 = parsed else {
                    throw ConfigError(file: path, line: entry.line, message: "token_hash must be sha256$… as printed by `ozgate hash-secret --token`")
                }
                hash = parsed
            }
            lines.append(LineCredential(name: entry.name, tokenHash: hash, expires: entry.expires))
        }
        var extensions: [ExtensionCredential] = []
        for entry in configFile.extensions {
            let hash: SecretHash
            switch entry.password {
            case .plain(let password): hash = .password(password)
            case .hashed(let text):
                do {
                    hash = try SecretHash(parsing: text)
                } catch {
                    throw ConfigError(file: path, line: entry.line, message: "password_hash: \(error.description)")
                }
                guard hash.isSlow else {
                    throw ConfigError(file: path, line: entry.line, message: "password_hash must be scrypt$… as printed by `ozgate hash-secret`")
                }
            }
            extensions.append(ExtensionCredential(number: entry.number, passwordHash: hash, lineName: entry.lineName))
        }
        self.init(lines: lines, extensions: extensions)
    }
}
