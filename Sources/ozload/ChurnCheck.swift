/// What churn checks about one client, copied off its event loop at the end.
struct ChurnState: Sendable {
    let number: String?
    let online: Bool
    let leftGracefully: Bool
    let roster: Set<String>
    /// Message numbers (from the ids) in arrival order; `ChurnCheck` turns them into ranks in the room's order.
    var messages: [Int]
    /// Beside each message, churn's own number of it (from its text; -1 for none).
    let tags: [Int]
    var marks: [ChurnMark]
    /// Every presence change seen, in order, as `+NUMBER` (online) or `-NUMBER`.
    let presence: [String]
    let anomalies: [String]

    init(_ client: SimClient) {
        number = client.phoneNumber
        online = !client.isClosed && client.phoneNumber != nil
        leftGracefully = client.leftGracefully
        roster = client.roster
        messages = client.messageNumbers
        tags = client.messageTags
        // A witness that has seen no message yet cannot place a presence change.
        marks = client.marks.compactMap { mark in
            mark.lastMessage.map { ChurnMark(number: mark.number, online: mark.online, lastMessage: $0) }
        }
        presence = client.marks.map { ($0.online ? "+" : "-") + $0.number }
        anomalies = client.anomalies
    }
}

/// A presence change one client saw, with the last message number it had seen before it.
struct ChurnMark: Sendable, Hashable {
    let number: String
    let online: Bool
    var lastMessage: Int
}

/// The end-of-churn verdict. Message ids are `EPOCH-N` with N counting up per room, so the room's total order is
/// known: each member must see a gap-free run of it from just after its join (as its peers saw that join) to just
/// before its leave (or the last message, if still online), and everyone must agree where each join and leave fell.
/// One gateway numbers only messages, so the order is 1, 2, 3… and a number nobody saw is a lost message. A cluster's
/// N also counts the room's presence events, so its order is every number anyone saw, sorted, and each member's
/// messages are checked by their rank in it. Across nodes, everyone must also agree what each number is: every member
/// that saw N saw the same message (churn's own number in the text), and no message came under two numbers. So each
/// member's stream is a gap-free stretch of one order that all share: two nodes ordering the room differently fail.
struct ChurnCheck {
    private(set) var states: [ChurnState]
    /// How many of the last states are the fresh observers (one per node, joined after the churn): their rosters are
    /// each node's view of the room; their messages are not checked.
    let observers: Int
    /// One gateway's numbering (consecutive message numbers), or a cluster's (numbers shared with presence events).
    let dense: Bool
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
    /// Numbers under which members saw different messages, and messages seen under different numbers.
    var idConflicts = 0

    /// The first `initial` states joined before any message was sent.
    let initial: Int

    init(states: [ChurnState], observers: Int, initial: Int, dense: Bool) {
        self.states = states
        self.observers = observers
        self.initial = initial
        self.dense = dense
    }

    mutating func run() {
        anomalies = states.reduce(0) { $0 + $1.anomalies.count }
        if let first = states.first(where: { !$0.anomalies.isEmpty }) { problems.append(first.anomalies[0]) }
        checkIdentities()
        rankMessages()
        checkRosters()
        checkMessages()
        checkPresenceOrder()
    }

    /// Everyone saw the presence changes they have in common in one order: each member's stream says each change came
    /// before the next; together those must leave no cycle (a topological sort takes every change). Changes of a
    /// number used twice are left out.
    private mutating func checkPresenceOrder() {
        let numbers = states.compactMap(\.number)
        let reused = Set(numbers.filter { n in numbers.firstIndex(of: n) != numbers.lastIndex(of: n) })
        var after: [String: Set<String>] = [:]
        var before: [String: Int] = [:]
        for state in states {
            let stream = state.presence.filter { !reused.contains(String($0.dropFirst())) }
            for change in stream where before[change] == nil { before[change] = 0 }
            for (a, b) in zip(stream, stream.dropFirst()) where a != b && after[a, default: []].insert(b).inserted {
                before[b, default: 0] += 1
            }
        }
        var ready = before.filter { $0.value == 0 }.map(\.key)
        var sorted = 0
        while let change = ready.popLast() {
            sorted += 1
            for next in after[change] ?? [] {
                before[next]! -= 1
                if before[next] == 0 { ready.append(next) }
            }
        }
        if sorted < before.count {
            orderViolations += 1
            problems.append("members disagree on the order of presence changes (\(before.count - sorted) of \(before.count) in a cycle)")
        }
    }

    /// Every member that saw a number saw the same message under it, and each message came under one number.
    private mutating func checkIdentities() {
        var messageOf: [Int: Int] = [:]
        var numberOf: [Int: Int] = [:]
        for state in states {
            for (number, tag) in zip(state.messages, state.tags) where tag >= 0 {
                let known = (messageOf[number], numberOf[tag])
                if (known.0 != nil && known.0 != tag) || (known.1 != nil && known.1 != number) {
                    idConflicts += 1
                    if idConflicts == 1 { problems.append("\(state.number ?? "?") saw message churn \(tag) as number \(number), others otherwise") }
                }
                messageOf[number] = known.0 ?? tag
                numberOf[tag] = known.1 ?? number
            }
        }
    }

    /// Replaces message numbers with their rank in the room's order (1 for the first message), which is the number
    /// itself for one gateway; `accepted` is the length of the order.
    private mutating func rankMessages() {
        let highest = states.compactMap { $0.messages.max() }.max() ?? 0
        if dense {
            accepted = highest
            return
        }
        let order = Set(states.flatMap(\.messages)).sorted()
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset + 1) })
        accepted = order.count
        for i in states.indices {
            states[i].messages = states[i].messages.map { rank[$0]! }
            for j in states[i].marks.indices { states[i].marks[j].lastMessage = rank[states[i].marks[j].lastMessage] ?? 0 }
        }
    }

    /// Each node's fresh observer must list exactly the members still connected, and so must every member.
    private mutating func checkRosters() {
        let watchers = states.suffix(observers)
        guard !watchers.isEmpty, watchers.allSatisfy({ $0.number != nil }) else {
            problems.append("an observer was not granted")
            return
        }
        let ours = Set(states.filter(\.online).compactMap(\.number))
        for (node, watcher) in watchers.enumerated() where watcher.roster.union([watcher.number!]) != ours {
            rosterMismatches += 1
            problems.append(
                "node \(node)'s roster (\(watcher.roster.count + 1), its observer's snapshot) differs from the members still connected (\(ours.count))"
            )
        }
        for state in states.dropLast(observers) where state.online {
            guard let number = state.number else { continue }
            checkedRosters += 1
            if state.roster != ours.subtracting([number]) {
                rosterMismatches += 1
                if rosterMismatches == 1 { problems.append("roster of \(number) differs from the members still connected") }
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
        for state in states.dropLast(observers) {
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
