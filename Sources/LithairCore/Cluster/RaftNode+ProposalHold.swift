/// Group commit on the leader, timed to replication (``ProposalHold``).
extension RaftNode {
    /// Until when the proposals in the inbox wait, or `nil` if they go in the next turn.
    /// Called by the turn's owner with `condition` held.
    ///
    /// Only majority writes are held: a ``WriteConcern/leader`` write is answered after the
    /// leader's own fsync and gains nothing from waiting for a follower.
    func proposalHoldDeadline() -> ContinuousClock.Instant? {
        guard core.role == .leader, cluster.writeConcern == .majority, inbox.contains(where: \.isProposal),
            let transport
        else { return nil }
        // Learners' connections do not count: their answers commit nothing.
        let voters = core.membership.voters
        return proposalHold.deadline(
            now: .now, freePeers: transport.freePeerCount(among: voters), needed: core.membership.quorum - 1)
    }

    /// A peer's request ended with nothing queued behind it: proposals held back may go.
    func peerConnectionFreed() {
        condition.withLock { if holdingForPeers { condition.signal() } }
    }
}
