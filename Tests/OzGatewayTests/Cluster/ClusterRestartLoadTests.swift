import Foundation
import OzCluster
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

/// PostgreSQL restarted (`pg_ctl restart -m fast`, durable settings) while members on three nodes talk flat out. A
/// member resends what was refused as UNAVAILABLE, as a user would. Afterwards every member has every accepted message
/// exactly once, all in one order, and no refused message reached anyone.
@Suite("Cluster: PostgreSQL restarted under load", .serialized)
struct ClusterRestartLoadTests {
    /// What one member saw and did.
    struct Talk: Sendable {
        var received: [ChatMessage] = []
        var accepted: [String] = []
        var refusals = 0
    }

    static let perMember = 120

    @Test(.timeLimit(.minutes(4)))
    func nothingIsLostOrDoubledAcrossARestart() async throws {
        try await ClusterTestbed.with(nodes: 3, durable: true) { cluster in
            var sockets: [TestSocket] = []
            for (index, port) in cluster.ports.enumerated() {
                let (socket, _) = try await TestSocket.join(port: port, token: TestGateway.lobbyToken, properties: ["Nickname": .string("m\(index)")])
                sockets.append(socket)
            }
            let restarted = RestartSwitch()
            let talks = try await withThrowingTaskGroup(of: (Int, Talk).self) { group in
                for (index, socket) in sockets.enumerated() {
                    group.addTask { (index, try await Self.talk(socket, member: index, restart: index == 0 ? restarted : nil, cluster: cluster)) }
                }
                var talks = [Talk](repeating: Talk(), count: sockets.count)
                for try await (index, talk) in group { talks[index] = talk }
                return talks
            }
            #expect(restarted.done)
            let accepted = Set(talks.flatMap(\.accepted))
            #expect(accepted.count == Self.perMember * sockets.count)
            print("restart under load: \(accepted.count) accepted, \(talks.map(\.refusals)) refusals (UNAVAILABLE, resent)")
            // Everyone drains until it has every accepted message.
            var orders: [[String]] = []
            for (index, socket) in sockets.enumerated() {
                var talk = talks[index]
                let deadline = ContinuousClock.now + .seconds(60)
                while Set(talk.received.map(\.text)).count < accepted.count, ContinuousClock.now < deadline {
                    if let message = try? await socket.next(matching: { $0.chatMessage != nil }, timeout: .seconds(10)).chatMessage {
                        talk.received.append(message)
                    }
                }
                let texts = talk.received.map(\.text)
                #expect(texts.count == Set(texts).count, "member \(index) got a message twice")
                #expect(Set(texts) == accepted, "member \(index) is missing \(accepted.subtracting(texts).sorted().prefix(5))")
                let ids = talk.received.map { Int($0.id.split(separator: "-").last ?? "") ?? 0 }
                #expect(ids == ids.sorted() && Set(ids).count == ids.count, "member \(index): ids out of order or repeated")
                orders.append(talk.received.map(\.id))
            }
            #expect(Set(orders).count == 1, "the members saw different orders")
            for socket in sockets { await socket.close() }
        }
    }

    /// Sends `perMember` messages, one at a time, each resent until it is echoed; member 0 restarts PostgreSQL a
    /// third of the way through (off the cooperative threads: pg_ctl blocks).
    static func talk(_ socket: TestSocket, member: Int, restart: RestartSwitch?, cluster: ClusterTestbed) async throws -> Talk {
        var talk = Talk()
        var attempt = 0
        for n in 0..<perMember {
            if n == perMember / 3, let restart { restart.fire(cluster.server) }
            let text = "m\(member)-\(n)"
            while true {
                attempt += 1
                let nonce = "\(member)-\(attempt)"
                try await socket.send(.message(to: ClientFrame.room, text: text, nonce: nonce))
                var answered: Bool?
                while answered == nil {
                    let frame = try await socket.nextFrame(timeout: .seconds(60))
                    if let message = frame.chatMessage {
                        talk.received.append(message)
                        if message.nonce == nonce { answered = true }
                    } else if case .error(let code, _, let errorNonce) = frame, errorNonce == nonce {
                        #expect(code == .unavailable)
                        answered = false
                    }
                }
                if answered == true { break }
                talk.refusals += 1
                try await Task.sleep(for: .milliseconds(200))
            }
            talk.accepted.append(text)
            try await Task.sleep(for: .milliseconds(40))  // under the default 30 messages a second
        }
        return talk
    }
}

/// Restarts PostgreSQL once, on a thread of its own.
final class RestartSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var finished = false

    var done: Bool { lock.withLock { finished } }

    func fire(_ server: PostgresServer) {
        let first = lock.withLock {
            defer { fired = true }
            return !fired
        }
        guard first else { return }
        Thread.detachNewThread {
            try? server.restart()
            self.lock.withLock { self.finished = true }
        }
    }
}
