import LithairConsensus

/// One voter in or out: what `POST /_raft/members` and `DELETE /_raft/members/{id}` ask for.
enum MembershipChange: Sendable, Equatable {
    case add(nodeID: UInt64, address: String)
    case remove(nodeID: UInt64)
}

extension RaftNode {
    /// Adds or removes one voter and waits until the change is applied here (a majority of the
    /// new configuration has it). A node to add is first caught up as a learner
    /// (``RaftCore/addVoterAfterCatchUp(_:address:)``), which may take a snapshot transfer.
    ///
    /// - Returns: the configuration entry's log index.
    /// - Throws: ``NodeError`` (not the leader, timeout…) or ``APIError`` (the change is refused,
    ///   or the newcomer did not answer or catch up in time).
    func changeMembership(_ change: MembershipChange) async throws -> UInt64 {
        guard isReady else { throw NodeError.notReady }
        let promise = Promise<UInt64>()
        enqueue(.changeMembership(change, promise))
        let catchUp = if case .add = change { cluster.snapshotTimeout } else { Duration.zero }
        return try await promise.value(timeout: cluster.requestTimeout + catchUp)
    }

    /// In a turn: checks `change` against the configuration in force and proposes it.
    func proposeMembershipChange(_ change: MembershipChange, _ promise: Promise<UInt64>) {
        let current = core.membership
        let proposed: Membership
        switch change {
        case .add(let nodeID, let address):
            if current.contains(nodeID + 1) {
                return promise.fail(APIError(.conflict, "node \(nodeID) is already a member"))
            }
            if let holder = current.addresses.first(where: { $0.value == address }) {
                return promise.fail(APIError(.conflict, "\(address) is already member \(holder.key - 1)'s address"))
            }
            if let holder = core.learners.first(where: { $0.key == nodeID + 1 || $0.value == address }) {
                // Not "already": a retried add must not take this for the add being done.
                return promise.fail(
                    APIError(
                        .conflict,
                        "node \(holder.key - 1) at \(holder.value) is being caught up for an earlier add; "
                            + "retry once that one is answered"))
            }
            return startCatchUp(nodeID: nodeID, address: address, promise)
        case .remove(let nodeID):
            if core.learners[nodeID + 1] != nil { return cancelCatchUp(nodeID: nodeID, promise) }
            guard current.contains(nodeID + 1) else {
                return promise.fail(APIError(.notFound, "node \(nodeID) is not a member"))
            }
            proposed = current.removing(nodeID + 1)
        }
        do {
            let position = try core.proposeMembership(proposed)
            membershipChanges[position.index] = (position.term, promise)
        } catch {
            switch error {
            case .notLeader(let leader):
                promise.fail(notLeader(leader))
            case .membershipChangePending, .transferInProgress:
                promise.fail(
                    APIError(
                        .conflict, "another membership change or a leadership transfer is in progress; retry shortly"))
            case .invalidMembershipChange(let reason):
                promise.fail(APIError.badRequest(reason))
            default:
                promise.fail(APIError.badRequest("\(error)"))
            }
        }
    }

    /// In a turn: answers the membership changes proposed here whose entries were applied.
    func membershipChangesApplied(_ entries: ArraySlice<LithairConsensus.LogEntry>) {
        for entry in entries where entry.kind == .config {
            guard let waiter = membershipChanges.removeValue(forKey: entry.index) else { continue }
            if waiter.term == entry.term {
                waiter.promise.succeed(entry.index)
            } else {
                waiter.promise.fail(NodeError.proposalDropped)
            }
        }
    }

    /// In a turn: the core put another configuration in force: reach the new voters, stop
    /// sending to the ones that left, and show them in `/_raft/*`.
    func adoptMembership() {
        adoptedMembershipVersion = core.membershipVersion
        let adopted = adoptCoreMembership(core.membership)
        transport?.updatePeers(linkedPeers)
        logger.notice(
            "cluster membership changed",
            metadata: [
                "voters": "\(adopted.voters.voters.map { $0 - 1 })", "this_node_votes": "\(adopted.selfIsVoter)",
                "configuration_index": "\(core.membershipIndex)",
            ])
    }
}

// MARK: - Catching a newcomer up before it votes

/// A member add waiting for its newcomer to catch up (``RaftNode/pendingJoins``).
struct PendingJoin {
    var nodeID: UInt64
    var address: String
    var promise: Promise<UInt64>
    var started: ContinuousClock.Instant
}

extension RaftNode {
    /// How long a newcomer has to answer the leader at all before the add is given up: long
    /// enough for a process that is starting, short enough that a wrong address fails fast.
    static let learnerAnswerLimit = Duration.seconds(5)

    private func startCatchUp(nodeID: UInt64, address: String, _ promise: Promise<UInt64>) {
        do {
            try core.addVoterAfterCatchUp(nodeID + 1, address: address)
        } catch {
            switch error {
            case .notLeader(let leader):
                promise.fail(notLeader(leader))
            default:
                promise.fail(APIError(.conflict, "\(error)"))
            }
            return
        }
        pendingJoins[nodeID + 1] = PendingJoin(nodeID: nodeID, address: address, promise: promise, started: .now)
        logger.notice(
            "catching a newcomer up before it votes", metadata: ["node_id": "\(nodeID)", "address": "\(address)"])
        // The core's first append to it leaves with this turn's Ready: the link must exist by then.
        syncLearnerLinks()
    }

    /// Removing a node that is being caught up ends the catch-up: it never voted, so no
    /// configuration entry is needed, and the answer carries the configuration in force.
    private func cancelCatchUp(nodeID: UInt64, _ promise: Promise<UInt64>) {
        core.removeLearner(nodeID + 1)
        pendingJoins.removeValue(forKey: nodeID + 1)?.promise.fail(
            APIError(.conflict, "node \(nodeID) was removed while it was being caught up; the members are unchanged"))
        promise.succeed(core.membershipIndex)
    }

    /// Every turn: hands each caught-up newcomer's add over to the configuration
    /// entry the core proposed for it, and gives up on those that do not answer or catch up.
    func advancePendingJoins() {
        guard !pendingJoins.isEmpty else { return }
        let now = ContinuousClock.now
        for (raftID, join) in pendingJoins {
            if core.membership.contains(raftID) {
                // The core proposed the entry adding it in this turn; it resolves once applied.
                membershipChanges[core.membershipIndex] = (core.term, join.promise)
            } else if core.role != .leader || core.learners[raftID] == nil {
                join.promise.fail(NodeError.proposalDropped)
            } else if let progress = core.learnerProgress(raftID), !progress.answered,
                now - join.started > Self.learnerAnswerLimit
            {
                core.removeLearner(raftID)
                join.promise.fail(
                    APIError.unavailable(
                        "node \(join.nodeID) at \(join.address) did not answer within \(Self.learnerAnswerLimit): "
                            + "start it first (lithair serve --join), then add it; the members are unchanged"))
            } else if now - join.started > cluster.snapshotTimeout {
                let match = core.learnerProgress(raftID)?.match ?? 0
                core.removeLearner(raftID)
                join.promise.fail(
                    APIError.unavailable(
                        "node \(join.nodeID) at \(join.address) did not catch up within \(cluster.snapshotTimeout) "
                            + "(it holds index \(match)); the members are unchanged"))
            } else {
                continue
            }
            pendingJoins.removeValue(forKey: raftID)
        }
    }

    /// Keeps the transport's links to the core's learners (the voters' links follow
    /// ``adoptMembership()``).
    func syncLearnerLinks() {
        guard core.learners != linkedLearners else { return }
        linkedLearners = core.learners
        transport?.updatePeers(linkedPeers)
    }

    /// The voters and the learners, each once: a learner just added as a voter keeps its link.
    var linkedPeers: [ClusterMembership.Member] {
        let voters = membership.peers
        let learners = linkedLearners.filter { raftID, _ in !voters.contains { $0.raftID == raftID } }
        return voters
            + learners.sorted { $0.key < $1.key }.map {
                ClusterMembership.Member(nodeID: $0.key - 1, address: $0.value)
            }
    }
}
