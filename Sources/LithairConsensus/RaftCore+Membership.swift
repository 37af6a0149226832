// Membership changes, one voter at a time (Ongaro's thesis §4.1).
//
// A configuration takes effect on every node as soon as its entry is in the node's log,
// committed or not; replacing that entry reverts to the previous one. Because two
// configurations that differ by one voter always share a majority, no two leaders can be
// elected by disjoint majorities, provided a leader starts a change only once the previous
// one is committed and it has committed an entry of its own term (the fix to the thesis'
// single-server algorithm).
extension RaftCore {
    /// Whether this node votes in the configuration in force.
    public var isVoter: Bool { membership.contains(config.id) }

    /// Appends a configuration entry that moves the cluster to `proposed`. Leader only.
    ///
    /// `proposed` must add or remove exactly one voter and keep every other voter's address. A
    /// leader that removes itself keeps leading until the entry commits, without counting
    /// itself, then hands leadership to the most up-to-date voter and steps down.
    ///
    /// - Returns: the entry's position: the change is done when the node applies that index
    ///   with that term.
    /// - Throws: ``RaftError/notLeader(leaderID:)``, ``RaftError/transferInProgress``,
    ///   ``RaftError/membershipChangePending`` or ``RaftError/invalidMembershipChange(_:)``.
    @discardableResult
    public mutating func proposeMembership(_ proposed: Membership) throws(RaftError) -> LogPosition {
        guard role == .leader else { throw .notLeader(leaderID: leaderID) }
        guard leadTransferee == nil else { throw .transferInProgress }
        let waits = !config.mutations.contains(.overlappingMembershipChanges)
        guard !waits || (log.term(at: log.committed) == term && membershipIndex <= log.committed) else {
            throw .membershipChangePending
        }
        let added = Set(proposed.voters).subtracting(membership.voters)
        let removed = Set(membership.voters).subtracting(proposed.voters)
        guard added.count + removed.count == 1 else {
            throw .invalidMembershipChange("a change must add or remove exactly one voter")
        }
        guard !proposed.voters.isEmpty else { throw .invalidMembershipChange("the last voter cannot be removed") }
        for id in proposed.voters where !added.contains(id) && proposed.addresses[id] != membership.addresses[id] {
            throw .invalidMembershipChange("voter \(id) would change its address")
        }
        let entry = LogEntry(index: log.lastIndex + 1, term: term, kind: .config, data: proposed.encoded())
        appendAndReplicate([entry])
        return LogPosition(index: entry.index, term: entry.term)
    }

    /// The configuration that was in force at `index` (what a snapshot taken there records).
    public func membership(at index: UInt64) -> Membership {
        // The usual case needs no scan of the log: nothing changed since `index`.
        index >= membershipIndex ? membership : log.membership(through: index).membership
    }

    /// Puts `new` in force. A leader starts replicating to added voters at once (probing from
    /// its last index; an empty newcomer is sent a snapshot once it answers) and forgets removed ones.
    mutating func setMembership(_ new: Membership, index: UInt64) {
        membershipIndex = index
        guard new != membership else { return }
        membership = new
        membershipVersion += 1
        peers = new.voters.filter { $0 != config.id }
        guard role == .leader else { return }
        for peer in peers where progress[peer] == nil {
            progress[peer] = Progress(next: log.lastIndex + 1, maxInflight: config.maxInflightMessages)
        }
        // A learner the new configuration adds keeps its progress and becomes a voter.
        for id in learners.keys where new.contains(id) { learners.removeValue(forKey: id) }
        for id in progress.keys where !new.contains(id) && learners[id] == nil { progress.removeValue(forKey: id) }
        if let transferee = leadTransferee, !new.contains(transferee) { leadTransferee = nil }
    }

    /// Re-reads the configuration from the log, after entries were replaced or a snapshot restored.
    mutating func refreshMembership() {
        let (current, index) = log.membership(through: log.lastIndex)
        setMembership(current, index: index)
    }

    /// Whether a follower's append may have changed the configuration: it brought a `.config`
    /// entry, or the entry that set the current one is gone or was replaced.
    func membershipMayHaveChanged(appending entries: [LogEntry]) -> Bool {
        if membershipIndex > log.snapshotIndex, log.entry(at: membershipIndex)?.kind != .config { return true }
        return entries.contains { $0.kind == .config }
    }

    /// The entry removing this leader committed: tell the followers, let the most up-to-date
    /// voter campaign at once, and step down.
    mutating func stepDownAfterRemoval() {
        broadcastHeartbeat(context: nil)
        let successor = peers.max { (progress[$0]?.match ?? 0) < (progress[$1]?.match ?? 0) }
        if let successor, progress[successor]?.match == log.lastIndex {
            send(to: successor, .timeoutNow)
        }
        becomeFollower(term: term, leader: nil)
    }
}
