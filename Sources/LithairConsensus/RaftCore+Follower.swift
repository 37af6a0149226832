// Follower side of log replication.
extension RaftCore {
    mutating func handleAppend(_ request: AppendEntries, from leader: NodeID) {
        // Everything up to our commit index already matches the leader (Log Matching).
        if request.prevLogIndex < log.committed {
            send(to: leader, .appendResponse(.accepted(matchIndex: log.committed)))
            return
        }
        if let lastNew = log.tryAppend(
            prevLogIndex: request.prevLogIndex, prevLogTerm: request.prevLogTerm, leaderCommit: request.leaderCommit,
            entries: request.entries)
        {
            if membershipMayHaveChanged(appending: request.entries) { refreshMembership() }
            send(to: leader, .appendResponse(.accepted(matchIndex: lastNew)))
        } else {
            let hint = log.conflictHint(index: request.prevLogIndex, term: request.prevLogTerm)
            send(
                to: leader,
                .appendResponse(
                    .rejected(index: request.prevLogIndex, conflictIndex: hint.index, conflictTerm: hint.term)))
        }
    }

    mutating func handleHeartbeat(_ request: Heartbeat, from leader: NodeID) {
        // The leader sends at most our match index, so this clamp only guards against a bad peer.
        log.commit(to: min(request.leaderCommit, log.lastIndex))
        send(to: leader, .heartbeatResponse(HeartbeatResponse(context: request.context)))
    }

    mutating func handleInstallSnapshot(_ request: InstallSnapshot, from leader: NodeID) {
        let snapshot = request.snapshot
        if snapshot.index <= log.committed {
            // Stale or redundant: we are already past it.
        } else if log.matchesTerm(at: snapshot.index, snapshot.term) {
            // We hold that entry, hence everything before it: just fast-forward the commit.
            log.commit(to: snapshot.index)
        } else {
            log.restore(snapshot)
            refreshMembership()
            snapshotToInstall = snapshot
            send(to: leader, .appendResponse(.accepted(matchIndex: snapshot.index)))
            return
        }
        send(to: leader, .appendResponse(.accepted(matchIndex: log.committed)))
    }
}
