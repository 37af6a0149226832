// Adding a voter in two steps (Ongaro's thesis §4.2.1, etcd's learners): the newcomer first
// receives the log as a learner, which is replicated to but counted in no majority, and the
// configuration that makes it a voter is proposed only once it holds the leader's log. Until
// then the cluster's quorum is unchanged, so a slow or absent newcomer costs no availability.
//
// Learners belong to the leader that is catching them up: they are not in the log, and a new
// leader starts without them (whoever asked for the change asks again).
extension RaftCore {
    /// Starts catching `id` up as a learner; the core proposes the configuration adding it at
    /// `address` once it holds the leader's log (one message of entries behind at most, and
    /// replicating), as soon as no other change is in flight. Leader only.
    ///
    /// - Throws: ``RaftError/notLeader(leaderID:)``, or ``RaftError/invalidMembershipChange(_:)``
    ///   when `id` already votes, is already catching up, or is this node.
    public mutating func addVoterAfterCatchUp(_ id: NodeID, address: String) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leaderID: leaderID) }
        guard id != 0, id != config.id, !membership.contains(id) else {
            throw .invalidMembershipChange("node \(id) is already a voter")
        }
        guard learners[id] == nil else { throw .invalidMembershipChange("node \(id) is already catching up") }
        learners[id] = address
        progress[id] = Progress(next: log.lastIndex + 1, maxInflight: config.maxInflightMessages)
        sendAppend(to: id)
    }

    /// Stops catching `id` up (given up on); nothing happens if it is not a learner.
    public mutating func removeLearner(_ id: NodeID) {
        guard learners.removeValue(forKey: id) != nil else { return }
        progress.removeValue(forKey: id)
    }

    /// A learner's catch-up so far: the last index it is known to hold and whether it has
    /// answered at all; `nil` if `id` is not a learner.
    public func learnerProgress(_ id: NodeID) -> (match: UInt64, answered: Bool)? {
        guard learners[id] != nil, let pr = progress[id] else { return nil }
        return (pr.match, pr.recentActive)
    }

    /// The voters and learners: everyone the leader replicates to.
    var replicationPeers: [NodeID] {
        learners.isEmpty ? peers : peers + learners.keys.sorted()
    }

    /// Proposes the configuration adding the first learner that has caught up, if a change may
    /// start now; otherwise a later answer or tick tries again.
    mutating func promoteCaughtUpLearner() {
        guard role == .leader, !learners.isEmpty else { return }
        for (id, address) in learners.sorted(by: { $0.key < $1.key }) {
            guard let pr = progress[id], pr.state == .replicate,
                log.lastIndex - min(pr.match, log.lastIndex) <= UInt64(config.maxEntriesPerMessage)
            else { continue }
            // Refused while the previous change is uncommitted: a later answer or tick retries.
            _ = try? proposeMembership(membership.adding(id, address: address))
            return
        }
    }
}
