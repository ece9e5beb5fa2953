import Foundation

extension ClientConfigFile {
    /// What ozchat connects to `room` with: its servers, in the file's order; its token, or what `token_command` prints; its nickname
    /// and avatar over the file's top-level ones, the nickname falling back to `fallbackNickname` (the caller's `$USER`);
    /// the password that `password_command` prints, or else `OZCHAT_PASSWORD` from `environment` (empty without it).
    /// Commands run with `environment` as theirs.
    ///
    /// Blocks while a command runs: call it before the UI starts, or use ``resolveCredentials(for:fallbackNickname:environment:)``.
    public func credentials(
        for room: SavedRoom, fallbackNickname: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SecretCommandError) -> Credentials {
        func secret(_ key: String, _ command: String) throws(SecretCommandError) -> String {
            switch SecretCommand.run(command, environment: environment) {
            case .success(let text): return text
            case .failure(let failure): throw SecretCommandError(room: room.name, key: key, command: command, failure: failure)
            }
        }
        let token: String
        switch room.token {
        case .value(let text): token = text
        case .command(let command): token = try secret("token_command", command)
        }
        var password = environment["OZCHAT_PASSWORD"] ?? ""
        if let command = room.passwordCommand { password = try secret("password_command", command) }
        return Credentials(
            servers: room.servers, token: token, nickname: room.nick ?? nick ?? fallbackNickname, avatar: room.avatar ?? avatar ?? "",
            password: password)
    }

    /// ``credentials(for:fallbackNickname:environment:)`` on a thread of its own, so that a slow command (a password
    /// manager asking for a passphrase) holds neither the caller's actor nor a thread of the cooperative pool.
    public func resolveCredentials(
        for room: SavedRoom, fallbackNickname: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(SecretCommandError) -> Credentials {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Credentials, SecretCommandError>, Never>) in
            let thread = Thread { [self] in
                continuation.resume(
                    returning: Result { () throws(SecretCommandError) in
                        try credentials(for: room, fallbackNickname: fallbackNickname, environment: environment)
                    })
            }
            thread.name = "ozchat-secret-command"
            thread.start()
        }
        return try result.get()
    }
}
