/// What churn checks about one client, copied off its event loop at the end.
struct ChurnState: Sendable {
    let number: String?
    let online: Bool
    let leftGracefully: Bool
    let roster: Set<String>
    let messages: [Int]
    let marks: [ChurnMark]
    let anomalies: [String]

    init(_ client: SimClient) {
        number = client.phoneNumber
        online = !client.isClosed && client.phoneNumber != nil
        leftGracefully = client.leftGracefully
        roster = client.roster
        messages = client.messageNumbers
        // A witness that has seen no message yet cannot place a presence change.
        marks = client.marks.compactMap { mark in
            mark.lastMessage.map { ChurnMark(number: mark.number, online: mark.online, lastMessage: $0) }
        }
        anomalies = client.anomalies
    }
}

/// A presence change one client saw, with the last message number it had seen before it.
struct ChurnMark: Sendable, Hashable {
    let number: String
    let online: Bool
    let lastMessage: Int
}

/// The end-of-churn verdict. Message ids are `EPOCH-N` with N counting up per room, so the room's total order is
/// known: each member must see a gap-free run of N from just after its join (as its peers saw that join) to just
/// before its leave (or the last message, if still online), and everyone must agree where each join and leave fell.
struct ChurnCheck {
    let states: [ChurnState]
    let observer: ChurnState?
    var problems: [String] = []
    var accepted = 0
    var checkedRosters = 0
    var rosterMismatches = 0
    var lost = 0
    /// Messages the room ordered before a polite leaver's OFFLINE that it never got (accepted after it sent
    /// `disconnect`, before the room processed the leave): reported, not counted as lost.
    var leaverGaps = 0
    var orderViolations = 0
    var anomalies = 0

    /// The first `initial` states joined before any message was sent.
    let initial: Int

    init(states: [ChurnState], observer: ChurnState?, initial: Int) {
        self.states = states
        self.observer = observer
        self.initial = initial
    }

    mutating func run() {
        accepted = states.compactMap { $0.messages.max() }.max() ?? 0
        anomalies = states.reduce(0) { $0 + $1.anomalies.count }
        if let first = states.first(where: { !$0.anomalies.isEmpty }) { problems.append(first.anomalies[0]) }
        checkRosters()
        checkMessages()
    }

    private mutating func checkRosters() {
        guard let observer, let observerNumber = observer.number else {
            problems.append("the observer was not granted")
            return
        }
        let gatewayRoster = observer.roster.union([observerNumber])
        let ours = Set(states.filter(\.online).compactMap(\.number))
        if ours != gatewayRoster {
            problems.append("gateway roster (\(gatewayRoster.count)) differs from the members still connected (\(ours.count))")
        }
        for state in states.dropLast() where state.online {
            guard let number = state.number else { continue }
            checkedRosters += 1
            if state.roster != gatewayRoster.subtracting([number]) {
                rosterMismatches += 1
                if rosterMismatches == 1 { problems.append("roster of \(number) differs from the gateway's") }
            }
        }
    }

    private mutating func checkMessages() {
        // Where each join and leave fell in the message order, as every witness saw it; all must agree.
        var joinedAfter: [String: Int] = [:]
        var leftAfter: [String: Int] = [:]
        let numbers = states.compactMap(\.number)
        let reused = Set(numbers.filter { n in numbers.firstIndex(of: n) != numbers.lastIndex(of: n) })
        for state in states {
            for mark in state.marks where !reused.contains(mark.number) {
                let previous = mark.online ? joinedAfter[mark.number] : leftAfter[mark.number]
                if let previous, previous != mark.lastMessage {
                    orderViolations += 1
                    if orderViolations == 1 { problems.append("members disagree where \(mark.number)'s presence change fell") }
                }
                if mark.online { joinedAfter[mark.number] = mark.lastMessage } else { leftAfter[mark.number] = mark.lastMessage }
            }
        }
        for state in states.prefix(initial) {
            if let number = state.number { joinedAfter[number] = 0 }
        }
        for state in states.dropLast() {
            guard let number = state.number, !reused.contains(number) else { continue }
            for (a, b) in zip(state.messages, state.messages.dropFirst()) where b != a + 1 {
                if b <= a { orderViolations += 1 } else { lost += b - a - 1 }
                if problems.count < 5 { problems.append("\(number) jumped from message \(a) to \(b)") }
            }
            if let joined = joinedAfter[number] {
                let end = state.online ? accepted : (state.leftGracefully ? leftAfter[number] : nil)
                if let end, end > joined, state.messages.isEmpty, !state.online {
                    // A polite leaver that recorded nothing asked to leave before the first message of its stay
                    // reached it: the whole stay is the leaver's gap, not a loss.
                    leaverGaps += end - joined
                } else if let end, end > joined {
                    let first = state.messages.first ?? end + 1
                    let last = state.messages.last ?? joined
                    if first > joined + 1 { lost += first - joined - 1 }
                    if last < end, !state.online {
                        leaverGaps += end - last
                    } else if last < end {
                        lost += end - last
                    }
                    if (first > joined + 1 || (last < end && state.online)) && problems.count < 5 {
                        problems.append("\(number) saw messages \(first)…\(last), expected \(joined + 1)…\(end)")
                    }
                }
            }
        }
    }
}
