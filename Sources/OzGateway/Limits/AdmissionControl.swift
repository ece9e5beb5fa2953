import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Per-IP admission at accept time: how many connections each address has open and how fast it opens new ones. An
/// IPv6 peer counts as its /64 (see `PeerAddress`), so a client cannot dodge the limits by hopping addresses.
/// Thread-safe (connections are accepted on every event loop). Refusals are logged at most once per address per
/// `logInterval`, with how many were refused meanwhile, so a flood cannot flood the log too.
final class AdmissionControl: Sendable {
    private struct Address {
        var open = 0
        var bucket: TokenBucket
        var refusedSinceLog = 0
        var lastLog: NIODeadline?
    }

    /// Why a connection was refused, for the 503 body and the log.
    struct Refusal: Sendable {
        let reason: String
        /// Whether this refusal should be logged (the first in a while from its address).
        let log: Bool
        let suppressed: Int
    }

    private let limits: GatewayLimits
    /// The addresses seen, and the size at which idle ones are next swept out (doubling with what stays, so a flood
    /// from many live addresses does not pay for a sweep on every accept).
    private let state = NIOLockedValueBox((addresses: [String: Address](), sweepAt: 10_000))
    private let logInterval = TimeAmount.seconds(10)

    init(limits: GatewayLimits) {
        self.limits = limits
    }

    /// Admits a new connection from `peer` (counting it open), or says why not.
    func admit(_ peer: PeerAddress, at now: NIODeadline = .now()) -> Refusal? {
        guard appliesTo(peer) else { return nil }
        let ip = peer.key
        return state.withLockedValue { state in
            var address = state.addresses[ip] ?? Address(bucket: TokenBucket(rate: limits.connectRatePerIP, burst: limits.connectBurstPerIP))
            defer {
                state.addresses[ip] = address
                if state.addresses.count > state.sweepAt {
                    state.addresses = state.addresses.filter { $0.value.open > 0 || !$0.value.bucket.isFull(at: now) }
                    state.sweepAt = max(10_000, 2 * state.addresses.count)
                }
            }
            let reason: String
            if limits.connectionsPerIP > 0, address.open >= limits.connectionsPerIP {
                reason = "too many connections from \(ip) (the limit is \(limits.connectionsPerIP))"
            } else if !address.bucket.take(at: now) {
                reason = "connecting too fast from \(ip) (the limit is \(limits.connectRatePerIP) a second)"
            } else {
                address.open += 1
                return nil
            }
            address.refusedSinceLog += 1
            guard address.lastLog.map({ now - $0 >= logInterval }) ?? true else { return Refusal(reason: reason, log: false, suppressed: 0) }
            let suppressed = address.refusedSinceLog - 1
            address.lastLog = now
            address.refusedSinceLog = 0
            return Refusal(reason: reason, log: true, suppressed: suppressed)
        }
    }

    /// A connection admitted by `admit` has closed.
    func release(_ peer: PeerAddress, at now: NIODeadline = .now()) {
        guard appliesTo(peer) else { return }
        let ip = peer.key
        state.withLockedValue { state in
            guard var address = state.addresses[ip] else { return }
            address.open = max(0, address.open - 1)
            if address.open == 0, address.bucket.isFull(at: now), address.refusedSinceLog == 0 {
                state.addresses[ip] = nil
            } else {
                state.addresses[ip] = address
            }
        }
    }

    private func appliesTo(_ peer: PeerAddress) -> Bool {
        limits.perIPLimitsOnLoopback || !peer.isLoopback
    }
}
