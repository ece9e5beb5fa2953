import ArgumentParser
import Foundation
import OzGateway
import OzProtocol

/// `ozgate hash-secret`: prints the hash of a secret read from standard input, for `token_hash` / `password_hash`.
struct HashSecret: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-secret",
        abstract: "Hash a secret read from standard input (one line) for the config file.",
        discussion: "Prints scrypt$… for password_hash, or with --token sha256$… for token_hash. The secret never appears in ps."
    )

    @Flag(help: "Hash a line token (SHA-256) instead of an extension password (scrypt).") var token = false

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("write the secret on standard input, e.g.  echo 'my-token' | ozgate hash-secret --token")
        }
        let hash = token ? SecretHash.token(line).description : SecretHash.password(line).description
        do {
            try DescriptorWriter.standardOutput.write(hash + "\n")
        } catch {
            complain("ozgate: cannot write the hash: \(error)")
            throw ExitCode(74)  // EX_IOERR
        }
    }
}
