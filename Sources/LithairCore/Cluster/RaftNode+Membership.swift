import LithairConsensus

/// One voter in or out: what `POST /_raft/members` and `DELETE /_raft/members/{id}` ask for.
enum MembershipChange: Sendable, Equatable {
    case add(nodeID: UInt64, address: String)
    case remove(nodeID: UInt64)
}

extension RaftNode {
    /// Adds or removes one voter and waits until the change is applied here (a majority of the
    /// new configuration has it).
    ///
    /// - Returns: the configuration entry's log index.
    /// - Throws: ``NodeError`` (not the leader, timeout…) or ``APIError`` (the change is refused).
    func changeMembership(_ change: MembershipChange) async throws -> UInt64 {
        guard isReady else { throw NodeError.notReady }
        let promise = Promise<UInt64>()
        enqueue(.changeMembership(change, promise))
        return try await promise.value(timeout: cluster.requestTimeout)
    }

    /// Loop thread: checks `change` against the configuration in force and proposes it.
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
            proposed = current.adding(nodeID + 1, address: address)
        case .remove(let nodeID):
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
                promise.fail(
                    NodeError.notLeader(leaderAddress: leader.flatMap { membership.member(raftID: $0)?.address }))
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

    /// Loop thread: answers the membership changes proposed here whose entries were applied.
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

    /// Loop thread: the core put another configuration in force: reach the new voters, stop
    /// sending to the ones that left, and show them in `/_raft/*`.
    func adoptMembership() {
        adoptedMembershipVersion = core.membershipVersion
        let adopted = adoptCoreMembership(core.membership)
        transport?.updatePeers(adopted.peers)
        logger.notice(
            "cluster membership changed",
            metadata: [
                "voters": "\(adopted.voters.voters.map { $0 - 1 })", "this_node_votes": "\(adopted.selfIsVoter)",
                "configuration_index": "\(core.membershipIndex)",
            ])
    }
}
