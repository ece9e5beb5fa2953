import Foundation
import OzGateway
import OzProtocol

/// Keeps the local room alive for as long as any local ozchat is in it. Every ozchat in the local room runs one:
/// the one that hosts the embedded gateway keeps it; the others look at the room's port about once a second (with
/// jitter), and when nothing answers there — its host quit — try to host the room themselves, on the same port with
/// the same token and the same history file. Exactly one succeeds: the port can be bound once, and the history file
/// is held with an exclusive lock. The others, like every client, reconnect on their own and resume with `since`.
final class LocalRoomKeeper: @unchecked Sendable {
    private let port: Int
    private let token: String
    private let path: String
    private let announce: @Sendable (String) -> Void
    private let lock = NSLock()
    private var gateway: Gateway?
    private var stopped = false
    private var task: Task<Void, Never>?

    /// `hosting`: the gateway this ozchat already runs, if any. `announce` tells the user when this ozchat takes over.
    init(port: Int, token: String, path: String, hosting: Gateway?, announce: @escaping @Sendable (String) -> Void) {
        self.port = port
        self.token = token
        self.path = path
        self.gateway = hosting
        self.announce = announce
    }

    /// Starts watching (a background task).
    func start() {
        task = Task.detached { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 500...1_500)))
                await tick()
            }
        }
    }

    private func tick() async {
        let hosting = lock.withLock { gateway != nil || stopped }
        guard !hosting, !LocalRoom.isListening(host: "127.0.0.1", port: port) else { return }
        guard let started = try? await LocalRoom.host(port: port, token: token, path: path) else { return }
        let keep = lock.withLock {
            guard !stopped else { return false }
            gateway = started
            return true
        }
        if keep {
            announce("the local room's host has gone; this ozchat hosts it now on 127.0.0.1:\(started.port)")
        } else {
            await started.shutdown()
        }
    }

    /// Stops watching and shuts down the gateway this ozchat hosts, if any (its history is written first).
    func stop() async {
        let (task, gateway) = lock.withLock {
            stopped = true
            return (self.task, self.gateway)
        }
        task?.cancel()
        await gateway?.shutdown()
    }
}
