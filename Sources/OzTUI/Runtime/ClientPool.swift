import Foundation
import OzClient
import OzProtocol

/// The rooms' clients, one per window, made on the window's first connect and ended when it closes; carries out the
/// reducer's effects in order. A failure is reported to the window it concerns.
actor ClientPool {
    private let configuration: OzClientConfiguration
    private let inbox: ActionInbox
    private var clients: [WindowID: OzClient] = [:]
    /// Reads a saved room's credentials by name (ozchat's config file; runs its token and password commands).
    let resolveSaved: @Sendable (String) async throws -> Credentials

    init(configuration: OzClientConfiguration, inbox: ActionInbox, resolveSaved: @escaping @Sendable (String) async throws -> Credentials) {
        self.configuration = configuration
        self.inbox = inbox
        self.resolveSaved = resolveSaved
    }

    private func client(_ window: WindowID) -> OzClient {
        if let client = clients[window] { return client }
        let inbox = self.inbox
        let client = OzClient(configuration: configuration) { inbox.post(.room(window, $0)) }
        clients[window] = client
        return client
    }

    func perform(_ effect: AppEffect) async {
        switch effect {
        case .connect(let credentials, let window):
            do {
                try await client(window).connect(serverAddresses: credentials.servers, token: credentials.token, properties: credentials.properties)
            } catch {
                inbox.post(.notice("cannot connect to \(credentials.servers.joined(separator: " ")): \(error)", window: window))
            }
        case .disconnect(let window):
            await clients[window]?.disconnect()
        case .send(let text, let recipient, let window):
            do {
                try await client(window).send(text, to: recipient)
            } catch {
                inbox.post(.notice("not sent: \(error)", window: window))
            }
        case .requestHistory(let before, let limit, let window):
            do {
                try await client(window).requestOlderHistory(before: before, limit: limit)
            } catch {
                inbox.post(.notice("older messages not loaded: \(error)", window: window))
            }
        case .close(let window):
            guard let client = clients.removeValue(forKey: window) else { return }
            await client.disconnect()
            await client.shutdown()
        case .resolveSaved(let name, let window):
            let resolve = self.resolveSaved
            let inbox = self.inbox
            // Its commands may take a while (a password manager): never in the way of other rooms' effects.
            Task.detached {
                let result: Result<Credentials, SavedRoomError>
                do {
                    result = .success(try await resolve(name))
                } catch {
                    result = .failure(error as? SavedRoomError ?? SavedRoomError("\(error)"))
                }
                inbox.post(.savedRoomResolved(window, result))
            }
        case .bell, .quit:
            break
        }
    }

    /// At quit: every room says goodbye (a polite disconnect), then every client ends.
    func endAll() async {
        for client in clients.values { await client.disconnect() }
        try? await Task.sleep(for: .milliseconds(200))
        for client in clients.values { await client.shutdown() }
        clients.removeAll()
    }
}
