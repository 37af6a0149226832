/// The leader's pending ReadIndex requests (Raft thesis §6.4).
///
/// Each request remembers the commit index at arrival; it is answered once a quorum has
/// acknowledged a heartbeat carrying its context, which proves no newer leader existed at that
/// moment. Requests are answered in arrival order: confirming a later one confirms all before it.
struct ReadOnlyQueue: Sendable {
    struct Request: Sendable {
        var index: UInt64
        var context: [UInt8]
        /// Who asked: the leader itself or a follower that forwarded the request.
        var requester: NodeID
        var acks: Set<NodeID>
    }

    private(set) var pending: [Request] = []

    var isEmpty: Bool { pending.isEmpty }
    var lastContext: [UInt8]? { pending.last?.context }

    mutating func add(index: UInt64, context: [UInt8], requester: NodeID, leader: NodeID) {
        if pending.contains(where: { $0.context == context }) { return }
        pending.append(Request(index: index, context: context, requester: requester, acks: [leader]))
    }

    /// Records that `voter` acknowledged the heartbeat for `context`; returns the requests now
    /// confirmed by a majority of `membership`'s voters, removing them from the queue.
    mutating func acknowledge(context: [UInt8], from voter: NodeID, membership: Membership) -> [Request] {
        guard let position = pending.firstIndex(where: { $0.context == context }) else { return [] }
        pending[position].acks.insert(voter)
        guard pending[position].acks.filter(membership.contains).count >= membership.quorum else { return [] }
        let confirmed = Array(pending[...position])
        pending.removeFirst(position + 1)
        return confirmed
    }

    mutating func removeAll() {
        pending.removeAll()
    }
}
