import NIOCore

/// A room's members on this node grouped by their event loop, so a broadcast costs one cross-thread task per loop, not
/// one per member. Removal is O(1): each member keeps its `slot` in its group. Owned by the room's event loop.
package struct LoopGroups {
    /// The members of one event loop.
    package struct Group {
        package let eventLoop: any EventLoop
        package var members: [Member]
    }

    package private(set) var groups: [Group] = []
    /// Members in all groups.
    package private(set) var memberCount = 0

    package init() {}

    package mutating func add(_ member: Member) {
        memberCount += 1
        if let index = groups.firstIndex(where: { $0.eventLoop === member.eventLoop }) {
            member.slot = groups[index].members.count
            groups[index].members.append(member)
        } else {
            member.slot = 0
            groups.append(Group(eventLoop: member.eventLoop, members: [member]))
        }
    }

    package mutating func remove(_ member: Member) {
        guard let index = groups.firstIndex(where: { $0.eventLoop === member.eventLoop }) else { return }
        memberCount -= 1
        let last = groups[index].members.removeLast()
        if last !== member {
            groups[index].members[member.slot] = last
            last.slot = member.slot
        }
        if groups[index].members.isEmpty { groups.remove(at: index) }
    }

    /// Hands one frame to every member, in one task per loop.
    package func broadcast(_ frame: ByteBuffer) {
        for group in groups {
            let members = group.members
            if group.eventLoop.inEventLoop {
                for member in members { member.sendOnLoop(frame) }
            } else {
                group.eventLoop.execute { for member in members { member.sendOnLoop(frame) } }
            }
        }
    }

    /// Hands frames to members of one loop in one task there. Each member flushes at the end of that loop's turn, so
    /// a burst of messages becomes one write system call per member, not one per message.
    package static func deliver(_ deliveries: [(Member, ByteBuffer)], on loop: any EventLoop) {
        guard !deliveries.isEmpty else { return }
        if loop.inEventLoop {
            for (member, frame) in deliveries { member.sendOnLoop(frame) }
        } else {
            loop.execute { for (member, frame) in deliveries { member.sendOnLoop(frame) } }
        }
    }
}
