/// Why the core refused a request from the node.
public enum RaftError: Error, Sendable, Hashable {
    /// This node is not the leader; `leaderID` is the leader it knows of, if any.
    case notLeader(leaderID: NodeID?)
    /// A leadership transfer is in progress; proposals resume when it ends.
    case transferInProgress
    /// No leader is known, so a ReadIndex request cannot be forwarded.
    case noLeader
    /// The target of a leadership transfer is not a voter of this cluster.
    case unknownNode(NodeID)
    /// A membership change was asked while another is not yet committed, or before this leader
    /// committed an entry of its own term (thesis §4.1 and its single-server-change fix).
    case membershipChangePending
    /// A membership change must add or remove exactly one voter and keep the others' addresses.
    case invalidMembershipChange(String)
    /// A log compaction was asked for an index that is not yet applied and persisted.
    case compactionBeyondApplied(requested: UInt64, applied: UInt64)
}
