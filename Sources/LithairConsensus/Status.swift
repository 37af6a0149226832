/// Replication health of a follower as the leader sees it, in the terms of the seed's
/// `/_raft/health` endpoint.
public enum ReplicationHealth: String, Sendable, Hashable, Codable {
    /// The follower never answered this leader.
    case unknown
    /// Replicating, at most one batch (`maxEntriesPerMessage`) behind.
    case healthy
    /// Behind, probing for the matching point, or catching up.
    case lagging
    /// More than `resyncThreshold` entries behind, or needs a snapshot because its next
    /// entries were compacted.
    case desynced
}

/// The leader's view of one follower.
public struct FollowerStatus: Sendable, Hashable {
    /// The follower.
    public var id: NodeID
    /// Highest index known to match the leader's log.
    public var matchIndex: UInt64
    /// Next index the leader will send.
    public var nextIndex: UInt64
    /// Replication mode.
    public var state: ReplicationState
    /// AppendEntries messages in flight.
    public var inflightMessages: Int
    /// Heard from since the last check-quorum round.
    public var recentActive: Bool
    /// Ticks since the follower last answered; nil if it never did.
    public var ticksSinceLastContact: UInt64?
    /// Entries the follower is behind the leader's last index.
    public var lag: UInt64
    /// Summary for operators.
    public var health: ReplicationHealth
}

/// A read-only snapshot of the core's state, for health endpoints and metrics.
public struct RaftStatus: Sendable, Hashable {
    /// This node.
    public var id: NodeID
    /// Current role.
    public var role: RaftRole
    /// Current term.
    public var term: UInt64
    /// Vote cast in the current term.
    public var vote: NodeID?
    /// Known leader of the current term.
    public var leaderID: NodeID?
    /// Highest committed index.
    public var commitIndex: UInt64
    /// Highest index the node reported applied.
    public var appliedIndex: UInt64
    /// Last index of the log.
    public var lastIndex: UInt64
    /// Index of the latest snapshot (0 if none).
    public var snapshotIndex: UInt64
    /// Target of an ongoing leadership transfer.
    public var leadTransferee: NodeID?
    /// Per-follower replication, sorted by id (leader only; empty otherwise).
    public var followers: [FollowerStatus]
}
