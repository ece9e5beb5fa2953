import Foundation
import OzClient
import Testing

@Suite("A saved room's connect arguments")
struct SavedRoomCredentialsTests {
    let environment = ["PATH": "/usr/bin:/bin", "OZCHAT_PASSWORD": "env-pw"]

    private func config(_ rooms: SavedRoom..., nick: String? = nil, avatar: String? = nil) -> ClientConfigFile {
        ClientConfigFile(nick: nick, avatar: avatar, logDirectory: nil, rooms: rooms)
    }

    @Test func tokenFromTheFileAndPasswordFromTheEnvironment() throws {
        let room = SavedRoom(name: "work", servers: ["a:7779", "b:7779"], token: .value("tok"))
        let credentials = try config(room, nick: "ann", avatar: "a.png").credentials(for: room, fallbackNickname: "user", environment: environment)
        // Every server of the room, in the file's order.
        #expect(credentials == Credentials(servers: ["a:7779", "b:7779"], token: "tok", nickname: "ann", avatar: "a.png", password: "env-pw"))
        let bare = try config(room).credentials(for: room, fallbackNickname: "user", environment: ["PATH": "/bin"])
        #expect(bare == Credentials(servers: ["a:7779", "b:7779"], token: "tok", nickname: "user", avatar: "", password: ""))
    }

    @Test func theRoomsOwnValuesAndCommandsComeFirst() throws {
        let room = SavedRoom(
            name: "work", servers: ["wss://h"], token: .command("printf 'tok-%s\\n' \"$USER\""), nick: "annie", avatar: "b.png",
            passwordCommand: "echo pw-from-command")
        let credentials = try config(room, nick: "ann", avatar: "a.png").credentials(
            for: room, fallbackNickname: "user", environment: environment.merging(["USER": "ann"]) { $1 })
        #expect(credentials == Credentials(server: "wss://h", token: "tok-ann", nickname: "annie", avatar: "b.png", password: "pw-from-command"))
    }

    @Test func aFailingCommandNamesTheRoomTheCommandAndWhatHappened() {
        let token = SavedRoom(name: "work", servers: ["h"], token: .command("echo 'no key' >&2; exit 4"))
        let error = #expect(throws: SecretCommandError.self) {
            try config(token).credentials(for: token, fallbackNickname: "user", environment: environment)
        }
        #expect(error?.description == "room 'work': token_command 'echo 'no key' >&2; exit 4' failed (exit status 4): no key")

        let password = SavedRoom(name: "ops", servers: ["h"], token: .value("t"), passwordCommand: "true")
        let silent = #expect(throws: SecretCommandError.self) {
            try config(password).credentials(for: password, fallbackNickname: "user", environment: environment)
        }
        #expect(silent == SecretCommandError(room: "ops", key: "password_command", command: "true", failure: .noOutput(stderr: "")))
    }

    @Test func resolvedOffTheCallersThread() async throws {
        let room = SavedRoom(name: "work", servers: ["h"], token: .command("sleep 0.1; echo late"))
        let credentials = try await config(room).resolveCredentials(for: room, fallbackNickname: "user", environment: environment)
        #expect(credentials.token == "late")
        let failing = SavedRoom(name: "work", servers: ["h"], token: .command("exit 9"))
        await #expect(throws: SecretCommandError.self) {
            try await config(failing).resolveCredentials(for: failing, fallbackNickname: "user", environment: environment)
        }
    }
}
