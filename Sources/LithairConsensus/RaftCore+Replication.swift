// Leader side of log replication: AppendEntries, snapshots, heartbeats, commit, ReadIndex.
extension RaftCore {
    mutating func appendAndReplicate(_ entries: [LogEntry]) {
        log.append(entries)
        for entry in entries where entry.kind == .config {
            if let proposed = try? Membership(decoding: entry.data) { setMembership(proposed, index: entry.index) }
        }
        broadcastAppend()
    }

    mutating func broadcastAppend() {
        for peer in replicationPeers {
            sendAppend(to: peer)
        }
    }

    /// The commit index advanced: tells the followers with no append in flight. One awaiting
    /// answers hears it with the next append, sent when it answers: a notice queued behind its
    /// busy connection would cost it a round trip of its own before the entries after it.
    mutating func broadcastCommit() {
        for peer in replicationPeers where progress[peer]?.isAwaitingAnswers != true {
            sendAppend(to: peer)
        }
    }

    /// Sends `peer` the next entries it needs (or a snapshot if they were compacted).
    /// Returns true if a message was sent.
    @discardableResult
    mutating func sendAppend(to peer: NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard var pr = progress[peer], !pr.isPaused else { return false }
        let prevLogIndex = pr.next - 1
        guard let prevLogTerm = log.term(at: prevLogIndex),
            let entries = log.entries(from: pr.next, maxCount: config.maxEntriesPerMessage)
        else {
            // The follower needs entries we compacted. Only bother a peer that answers us.
            guard pr.recentActive else { return false }
            pr.becomeSnapshot(index: log.snapshotIndex)
            progress[peer] = pr
            send(to: peer, .installSnapshot(InstallSnapshot(leaderID: config.id, snapshot: log.snapshot)))
            return true
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        let request = AppendEntries(
            leaderID: config.id, prevLogIndex: prevLogIndex, prevLogTerm: prevLogTerm, entries: entries,
            leaderCommit: log.committed)
        send(to: peer, .append(request))
        pr.sent(lastIndex: entries.last?.index)
        pr.sentCommit = max(pr.sentCommit, log.committed)
        progress[peer] = pr
        return true
    }

    mutating func broadcastHeartbeat(context: [UInt8]?) {
        for peer in replicationPeers {
            // Never tell a follower to commit beyond what it is known to hold.
            let commit = min(progress[peer]?.match ?? 0, log.committed)
            send(to: peer, .heartbeat(Heartbeat(leaderID: config.id, leaderCommit: commit, context: context)))
        }
    }

    mutating func handleAppendResponse(_ response: AppendResponse, from peer: NodeID) {
        guard var pr = progress[peer] else { return }
        pr.recentActive = true
        pr.lastContactTick = tickCount
        guard response.success else {
            // Fast backtracking: jump over the follower's mismatching term in one step.
            let hint =
                response.conflictTerm > 0
                ? log.conflictHint(index: response.conflictIndex, term: response.conflictTerm).index
                : min(response.conflictIndex, log.lastIndex)
            if pr.backtrack(rejected: response.rejectedIndex, hint: hint) {
                if pr.state == .replicate { pr.becomeProbe() }
                progress[peer] = pr
                sendAppend(to: peer)
            } else {
                progress[peer] = pr
            }
            return
        }
        let wasPaused = pr.isPaused
        // A follower cannot match entries we never had: only a bad peer would claim it.
        guard response.matchIndex <= log.lastIndex, pr.acknowledge(response.matchIndex) else {
            progress[peer] = pr
            return
        }
        switch pr.state {
        case .probe:
            pr.becomeReplicate()
        case .snapshot:
            // The follower got the snapshot (or caught up another way): resume with entries.
            if pr.match + 1 >= log.firstIndex {
                pr.becomeProbe()
                pr.becomeReplicate()
            }
        case .replicate:
            pr.inflights.free(through: response.matchIndex)
        }
        progress[peer] = pr
        if maybeCommit() {
            broadcastCommit()
        } else if wasPaused {
            sendAppend(to: peer)
        }
        // Stream whatever else the window allows.
        while sendAppend(to: peer, sendIfEmpty: false) {}
        // A commit it was not told while it was busy (see `broadcastCommit`).
        if let pr = progress[peer], pr.sentCommit < min(log.committed, pr.match) {
            sendAppend(to: peer)
        }
        if peer == leadTransferee, progress[peer]?.match == log.lastIndex {
            send(to: peer, .timeoutNow)
        }
    }

    mutating func handleHeartbeatResponse(_ response: HeartbeatResponse, from peer: NodeID) {
        guard var pr = progress[peer] else { return }
        pr.recentActive = true
        pr.lastContactTick = tickCount
        pr.probeSent = false
        // A full window with a live follower means replies were lost: let one more message go.
        if pr.state == .replicate && pr.inflights.isFull { pr.inflights.freeFirst() }
        progress[peer] = pr
        if pr.match < log.lastIndex {
            sendAppend(to: peer)
        }
        if let context = response.context {
            let confirmed = readOnly.acknowledge(context: context, from: peer, membership: membership)
            for request in confirmed {
                answerRead(index: request.index, context: request.context, requester: request.requester)
            }
        }
    }

    /// Leader whose new entries are not synced yet (``advance(_:entriesDurable:)``): how much
    /// the next entry to commit needs the leader's own copy. A node that syncs lazily should
    /// sync at once for ``LeaderSyncNeed/now``, and soon for ``LeaderSyncNeed/soon`` (unless
    /// a follower's answer commits the entry first).
    public var leaderSyncNeed: LeaderSyncNeed {
        let next = log.committed + 1
        guard role == .leader, isVoter, next <= log.lastIndex, log.persisted < next else { return .none }
        var acknowledged = 0
        var coming = 0
        for voter in membership.voters where voter != config.id {
            guard let pr = progress[voter] else { continue }
            if pr.match >= next {
                acknowledged += 1
            } else if pr.isAwaitingAnswers && (pr.inflights.lastIndexes.last ?? 0) >= next {
                coming += 1
            }
        }
        if acknowledged + coming < membership.quorum { return .now }
        return acknowledged + 1 >= membership.quorum ? .soon : .none
    }

    /// Commits the highest index stored by a majority — only if it belongs to the current term
    /// (Raft §5.4.2, figure 8): older entries are committed indirectly, by the ones after them.
    mutating func maybeCommit() -> Bool {
        // A leader that is not a voter of the configuration in force (being removed) does not count itself.
        var matches = membership.voters.map { $0 == config.id ? log.persisted : progress[$0]?.match ?? 0 }
        if config.mutations.contains(.countLearnersTowardCommit) {
            matches += learners.keys.map { progress[$0]?.match ?? 0 }
        }
        let majorityMatch = matches.sorted(by: >)[membership.quorum - 1]
        guard majorityMatch > log.committed else { return false }
        let countingIsEnough = config.mutations.contains(.commitPreviousTermByCounting)
        guard countingIsEnough || log.term(at: majorityMatch) == term else { return false }
        let hadCommittedInTerm = log.term(at: log.committed) == term
        log.commit(to: majorityMatch)
        if !isVoter && log.committed >= membershipIndex {
            stepDownAfterRemoval()
            return true
        }
        if !hadCommittedInTerm && log.term(at: log.committed) == term {
            let waiting = readsAwaitingTermCommit
            readsAwaitingTermCommit = []
            for read in waiting {
                handleReadIndex(context: read.context, requester: read.requester)
            }
        }
        return true
    }

    /// ReadIndex on the leader (thesis §6.4): remember the commit index, confirm leadership with
    /// a heartbeat round, then answer.
    mutating func handleReadIndex(context: [UInt8], requester: NodeID) {
        if membership.voters == [config.id] {
            answerRead(index: log.committed, context: context, requester: requester)
            return
        }
        // Until an entry of this term commits, our commit index may lag the previous leader's.
        guard log.term(at: log.committed) == term else {
            readsAwaitingTermCommit.append((context, requester))
            return
        }
        readOnly.add(index: log.committed, context: context, requester: requester, leader: config.id)
        broadcastHeartbeat(context: context)
    }

    private mutating func answerRead(index: UInt64, context: [UInt8], requester: NodeID) {
        if requester == config.id {
            readStates.append(ReadState(index: index, context: context))
        } else {
            send(to: requester, .readIndexResponse(ReadIndexResponse(index: index, context: context)))
        }
    }
}
