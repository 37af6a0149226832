extension RaftCore {
    /// A read-only summary of the core, for health endpoints and metrics.
    public func status() -> RaftStatus {
        let followers =
            role == .leader
            ? peers.compactMap { peer in progress[peer].map { followerStatus(peer, $0) } } : []
        return RaftStatus(
            id: config.id, role: role, term: term, vote: vote, leaderID: leaderID, commitIndex: log.committed,
            appliedIndex: log.applied, lastIndex: log.lastIndex, snapshotIndex: log.snapshotIndex,
            leadTransferee: leadTransferee, followers: followers)
    }

    private func followerStatus(_ peer: NodeID, _ pr: Progress) -> FollowerStatus {
        let lag = log.lastIndex - min(pr.match, log.lastIndex)
        return FollowerStatus(
            id: peer, matchIndex: pr.match, nextIndex: pr.next, state: pr.state, inflightMessages: pr.inflights.count,
            recentActive: pr.recentActive, ticksSinceLastContact: pr.lastContactTick.map { tickCount - $0 }, lag: lag,
            health: health(of: pr, lag: lag))
    }

    /// Maps replication progress onto the seed's four health states.
    func health(of pr: Progress, lag: UInt64) -> ReplicationHealth {
        guard pr.lastContactTick != nil else { return .unknown }
        if pr.state == .snapshot || lag > config.resyncThreshold { return .desynced }
        if pr.state == .replicate && lag <= UInt64(config.maxEntriesPerMessage) { return .healthy }
        return .lagging
    }
}
