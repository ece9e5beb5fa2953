import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import OzProtocol

extension ConnectionHandler {
    /// Checks a `connect` frame's limits and credentials. Password hashes are slow by design, so extension logins are
    /// checked on the gateway's thread pool, never on the network threads, and only as many at once as
    /// `GatewayLimits.maxPendingPasswordChecks` allows: past that a login is refused as "server busy", never queued.
    func authenticate(token: String, properties: JSONObject, recall: HistoryRecall) {
        guard (1...WireLimits.maxTokenLength).contains(token.count) else {
            return deny("token must be 1–\(WireLimits.maxTokenLength) characters, not \(token.count)")
        }
        var serialized: [UInt8] = []
        JSONWriter.write(properties, into: &serialized)
        let propertiesLimit = min(WireLimits.maxPropertiesBytes, configuration.limits.maxPropertiesBytes)
        guard serialized.count <= propertiesLimit else {
            return deny("properties are \(serialized.count) bytes serialized; the limit is \(propertiesLimit)")
        }
        state = .authenticating
        let directory = configuration.directory
        let password = properties.password
        guard let loop = context?.eventLoop else { return }
        if directory.isExtension(token) {
            let checks = gateway.passwordChecks
            guard checks.enter() else {
                return deny("server busy: too many logins are being checked; try again in a moment")
            }
            gateway.threadPool.runIfActive(eventLoop: loop) {
                directory.decide(token: token, password: password)
            }.assumeIsolated().whenComplete { result in
                checks.leave()
                switch result {
                case .success(let decision): self.finishAuthentication(decision, properties: properties, recall: recall)
                case .failure: self.deny("the gateway is shutting down")
                }
            }
        } else {
            finishAuthentication(directory.decide(token: token, password: password), properties: properties, recall: recall)
        }
    }

    private func finishAuthentication(_ decision: AccessDecision, properties: JSONObject, recall: HistoryRecall) {
        guard case .authenticating = state, let context else { return }
        switch decision {
        case .denied(let reason):
            deny(reason)
        case .granted(let lineName, let number):
            guard let room = gateway.rooms[lineName] else { return deny("line \(lineName) is not served") }
            let phoneNumber = number ?? gateway.numbers.draw()
            let info = ClientInfo(phoneNumber: phoneNumber, status: .online, properties: properties.withoutPasswords)
            let member = Member(info: info, numberIsDrawn: number == nil, connection: self, eventLoop: context.eventLoop, recall: recall)
            state = .granted(member, room)
            logger[metadataKey: "number"] = "\(phoneNumber)"
            logger[metadataKey: "room"] = "\(lineName)"
            logger.info("connect", metadata: ["nickname": "\(info.nickname ?? "")"])
            room.eventLoop.execute { room.join(member) }
        }
    }

    /// The room turned a granted member away (it is full): the client never saw ACCESS_GRANTED, so it is denied.
    func denyFromRoom(_ reason: String) {
        guard case .granted = state else { return }
        state = .authenticating  // not in the room: closing must not try to leave it
        deny(reason)
    }

    private func deny(_ reason: String) {
        logger.notice("deny", metadata: ["reason": "\(reason)"])
        endReason = "access denied: \(reason)"
        writeDirect(.accessDenied(reason: reason))
        closeWebSocket(code: .policyViolation, reason: "access denied")
    }
}
