import LithairConsensus

/// The seed's monitoring JSON (`/_raft/health`, `/_raft/sync-status`, `/_raft/resync_stats`),
/// built from the status the node's loop publishes after every turn.
struct ClusterStatusView {
    let node: RaftNode
    let status: RaftStatus?
    let applied: UInt64
    let membershipIndex: UInt64
    let learners: [LearnerStatus]

    init(node: RaftNode) {
        self.node = node
        (status, applied, membershipIndex, learners) = node.published.withLock {
            ($0.status, $0.appliedIndex, $0.membershipIndex, $0.learners)
        }
    }

    var isLeader: Bool { status?.role == .leader }
    var term: UInt64 { status?.term ?? 0 }
    var nodeID: JSONValue { .int(Int64(node.membership.selfMember.nodeID)) }

    var leader: ClusterMembership.Member? {
        status?.leaderID.flatMap { node.membership.member(raftID: $0) }
    }

    var leaderAddress: String? { leader?.address }

    /// The seed's state names: "Leader", "Follower", "Candidate", "PreCandidate".
    var stateName: String {
        switch status?.role {
        case .leader?: "Leader"
        case .candidate?: "Candidate"
        case .preCandidate?: "PreCandidate"
        case .follower?, nil: "Follower"
        }
    }

    private var followers: [(member: ClusterMembership.Member, status: FollowerStatus?)] {
        guard isLeader else { return [] }
        return node.membership.peers.map { peer in (peer, status?.followers.first { $0.id == peer.raftID }) }
    }

    var health: JSONValue {
        .object([
            "node_id": nodeID,
            "state": .string(stateName),
            "term": .int(Int64(term)),
            "commit_index": .int(Int64(status?.commitIndex ?? 0)),
            "last_applied": .int(Int64(applied)),
            "leader_id": leader.map { .int(Int64($0.nodeID)) } ?? .null,
            "leader_address": leaderAddress.map(JSONValue.string) ?? .null,
            "address": .string(node.membership.selfMember.address),
            "followers": .object(
                Dictionary(
                    uniqueKeysWithValues: followers.map {
                        ($0.member.address, JSONValue.string(Self.health($0.status)))
                    })),
        ])
    }

    var syncStatus: JSONValue {
        let transport = node.transport?.peerStats() ?? [:]
        let commit = status?.commitIndex ?? 0
        let rows: [JSONValue] = followers.map { member, follower in
            let peer = transport[member.raftID]
            return .object([
                "address": .string(member.address),
                "node_id": .int(Int64(member.nodeID)),
                "health": .string(Self.health(follower)),
                "last_replicated_index": .int(Int64(follower?.matchIndex ?? 0)),
                "lag": .int(Int64(follower?.lag ?? commit)),
                "next_index": .int(Int64(follower?.nextIndex ?? 0)),
                "replication_state": .string(follower.map { "\($0.state)" } ?? "unknown"),
                "last_latency_ms": peer?.lastLatencyMillis.map { .int(Int64($0.rounded())) } ?? .null,
                "consecutive_failures": .int(Int64(peer?.consecutiveFailures ?? 0)),
            ])
        }
        return .object([
            "node_id": nodeID,
            "is_leader": .bool(isLeader),
            "leader_id": leader.map { .int(Int64($0.nodeID)) } ?? .null,
            "leader_address": leaderAddress.map(JSONValue.string) ?? .null,
            "term": .int(Int64(term)),
            "commit_index": .int(Int64(commit)),
            "followers": .array(rows),
        ])
    }

    var resyncStats: JSONValue {
        let stats = node.stats.withLock { $0 }
        return .object([
            "node_id": nodeID,
            "is_leader": .bool(isLeader),
            "resync_stats": .object([
                "snapshots_created": .int(Int64(stats.snapshotsCreated)),
                "send_attempts": .int(Int64(stats.sendAttempts)),
                "send_successes": .int(Int64(stats.sendSuccesses)),
                "send_failures": .int(Int64(stats.sendFailures)),
                "snapshots_received": .int(Int64(stats.snapshotsReceived)),
                "snapshots_installed": .int(Int64(stats.snapshotsInstalled)),
            ]),
        ])
    }

    /// `GET /_raft/members`.
    var members: JSONValue {
        let membership = node.membership
        let leaderRaftID = status?.leaderID
        return .object([
            "node_id": nodeID,
            "leader_id": leader.map { .int(Int64($0.nodeID)) } ?? .null,
            "this_node_votes": .bool(membership.selfIsVoter),
            "configuration_index": .int(Int64(membershipIndex)),
            "configuration_committed": .bool((status?.commitIndex ?? 0) >= membershipIndex),
            "members": .array(
                membership.voterMembers.map { member in
                    .object([
                        "node_id": .int(Int64(member.nodeID)),
                        "address": .string(member.address),
                        "is_leader": .bool(member.raftID == leaderRaftID),
                    ])
                }),
            "learners": .array(
                learners.map { learner in
                    .object([
                        "node_id": .int(Int64(learner.nodeID)),
                        "address": .string(learner.address),
                        "match_index": .int(Int64(learner.matchIndex)),
                        "answered": .bool(learner.answered),
                    ])
                }),
        ])
    }

    static func health(_ follower: FollowerStatus?) -> String { follower?.health.rawValue ?? "unknown" }
}
