import Foundation
import NIOConcurrencyHelpers
import OzClient
import OzProtocol

/// The events of several in-process `OzClient`s, each stamped with the moment it was reported: give a client
/// `sink(index)` as its `eventSink`.
final class ClientEventLog: Sendable {
    /// One reported event and when it came.
    struct Entry: Sendable {
        var at: ContinuousClock.Instant
        var event: OzClientEvent
    }

    private let entries: NIOLockedValueBox<[[Entry]]>

    init(clients: Int) {
        entries = NIOLockedValueBox(Array(repeating: [], count: clients))
    }

    /// The event sink for client `index` (called on that client's actor; only appends under a lock).
    func sink(_ index: Int) -> @Sendable (OzClientEvent) -> Void {
        { event in
            let now = ContinuousClock.now
            self.entries.withLockedValue { $0[index].append(Entry(at: now, event: event)) }
        }
    }

    /// Client `index`'s events from `start` on.
    func events(_ index: Int, since start: ContinuousClock.Instant? = nil) -> [Entry] {
        entries.withLockedValue { all in all[index].filter { start == nil || $0.at >= start! } }
    }

    /// When client `index` was first granted from `start` on.
    func firstGrant(_ index: Int, since start: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        events(index, since: start).first { entry in
            if case .connectionState(.accessGranted) = entry.event { return true }
            return false
        }?.at
    }

    /// How many `CONNECTION_FAILED` client `index` reported from `start` on.
    func failures(_ index: Int, since start: ContinuousClock.Instant) -> Int {
        events(index, since: start).filter { entry in
            if case .connectionState(.connectionFailed) = entry.event { return true }
            return false
        }.count
    }

    /// When client `index` first reported `number` with `status`, from `start` on.
    func presence(_ index: Int, of number: String, _ status: PresenceStatus, since start: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        events(index, since: start).first { entry in
            if case .clientState(let info) = entry.event { return info.phoneNumber == number && info.status == status }
            return false
        }?.at
    }
}

/// Polls `condition` until it holds, throwing (with `what`) when `timeout` passes first. Sleeps between polls, so it
/// never blocks a thread of the cooperative pool.
func waitUntil(_ what: String, timeout: Duration, every step: Duration = .milliseconds(50), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: step)
    }
    if try await condition() { return }
    throw ChildProcess.Timeout(description: "\(what) did not happen within \(timeout)")
}

extension Duration {
    /// The duration in seconds, as a Double.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
