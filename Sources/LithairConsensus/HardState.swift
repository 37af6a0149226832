/// The state a node must persist before it sends any message of the same ``Ready``.
///
/// Losing `term` or `vote` could let a node vote twice in a term; `commit` is persisted so a
/// restarted node can re-apply committed entries without waiting for the leader.
public struct HardState: Sendable, Hashable, Codable {
    /// Latest term the node has seen.
    public var term: UInt64
    /// Candidate the node voted for in `term`, if any.
    public var vote: NodeID?
    /// Highest log index known to be committed.
    public var commit: UInt64

    /// Creates a hard state. The default is the state of a brand-new node.
    public init(term: UInt64 = 0, vote: NodeID? = nil, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// Describes a snapshot of the state machine. The core never holds state-machine data: it only
/// knows where a snapshot ends; the node stores the bytes and streams them beside the message.
public struct SnapshotMetadata: Sendable, Hashable, Codable {
    /// Index of the last log entry the snapshot includes.
    public var index: UInt64
    /// Term of that entry.
    public var term: UInt64
    /// The cluster configuration in force at `index`.
    public var membership: Membership

    /// Voters of the cluster configuration at `index`.
    public var voters: [NodeID] { membership.voters }

    /// Creates snapshot metadata.
    public init(index: UInt64, term: UInt64, membership: Membership) {
        self.index = index
        self.term = term
        self.membership = membership
    }

    /// Creates snapshot metadata for a configuration whose addresses the node keeps itself.
    public init(index: UInt64, term: UInt64, voters: [NodeID]) {
        self.init(index: index, term: term, membership: Membership(voters: voters))
    }
}

/// Everything a node reads back from stable storage to restart its consensus core.
public struct PersistentState: Sendable, Hashable {
    /// The last persisted hard state.
    public var hardState: HardState
    /// The latest snapshot, if the log was ever compacted.
    public var snapshot: SnapshotMetadata?
    /// The entries after the snapshot, contiguous, in index order.
    public var entries: [LogEntry]

    /// Creates a persistent state. The default is an empty, brand-new node.
    public init(hardState: HardState = HardState(), snapshot: SnapshotMetadata? = nil, entries: [LogEntry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }
}
