import Foundation
import NIOConcurrencyHelpers
import OzClient
import OzProtocol

/// Records a client's events as they arrive, with the time each arrived, and waits for the ones a test expects.
final class EventRecorder: Sendable {
    private let log = NIOLockedValueBox<[(event: OzClientEvent, at: ContinuousClock.Instant)]>([])
    private let task: Task<Void, Never>

    init(_ client: OzClient) {
        let log = self.log
        task = Task {
            for await event in client.events {
                log.withLockedValue { $0.append((event, .now)) }
            }
        }
    }

    deinit { task.cancel() }

    var events: [OzClientEvent] { log.withLockedValue { $0.map(\.event) } }
    var timedEvents: [(event: OzClientEvent, at: ContinuousClock.Instant)] { log.withLockedValue { $0 } }
    var states: [ConnectionState] {
        events.compactMap { if case .connectionState(let state) = $0 { state } else { nil } }
    }

    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits until the `count`-th event matching `predicate` (counting from the start) has arrived, and returns it.
    @discardableResult
    func wait(
        for description: String, count: Int = 1, timeout: Duration = .seconds(30), _ predicate: @escaping (OzClientEvent) -> Bool
    ) async throws -> OzClientEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let matches = events.filter(predicate)
            if matches.count >= count { return matches[count - 1] }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Timeout(description: "timed out waiting for \(description); events: \(events)")
    }

    func waitForState(_ wireName: String, count: Int = 1, timeout: Duration = .seconds(30)) async throws -> ConnectionState {
        let event = try await wait(for: wireName, count: count, timeout: timeout) {
            if case .connectionState(let state) = $0 { state.wireName == wireName } else { false }
        }
        guard case .connectionState(let state) = event else { fatalError("unreachable") }
        return state
    }
}

extension OzClientEvent {
    var client: ClientInfo? {
        if case .clientState(let info) = self { info } else { nil }
    }

    var chat: ChatMessage? {
        if case .message(let message) = self { message } else { nil }
    }
}
