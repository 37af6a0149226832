/// The role a node plays in the current term.
public enum RaftRole: String, Sendable, Hashable, Codable {
    /// Follows a leader (or waits for one).
    case follower
    /// Runs a pre-vote round: asks whether it could win before disturbing anyone's term.
    case preCandidate
    /// Runs a real election for a new term.
    case candidate
    /// Leads the current term.
    case leader
}

/// Volatile state the node may want to surface (logs, metrics, HTTP): never persisted.
public struct SoftState: Sendable, Hashable {
    /// Current role.
    public var role: RaftRole
    /// Leader of the current term, if known.
    public var leaderID: NodeID?

    /// Creates a soft state.
    public init(role: RaftRole, leaderID: NodeID?) {
        self.role = role
        self.leaderID = leaderID
    }
}

/// Answer to a ReadIndex request: once the node's applied index reaches `index`, a read of the
/// local state machine is linearizable.
public struct ReadState: Sendable, Hashable {
    /// Commit index the leader held when the request arrived, confirmed by a quorum.
    public var index: UInt64
    /// The opaque context given to ``RaftCore/readIndex(context:)``.
    public var context: [UInt8]

    /// Creates a read state.
    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
