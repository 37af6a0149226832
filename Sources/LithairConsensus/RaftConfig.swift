/// Static configuration of one consensus core.
///
/// Time is measured in ticks: the node calls ``RaftCore/tick()`` at a fixed interval (for
/// example every 100 ms), and every timeout below is a number of those ticks.
public struct RaftConfig: Sendable, Hashable {
    /// This node's id (never 0).
    public var id: NodeID
    /// The voters of the cluster's first configuration, this node included unless it is
    /// ``isJoining``. A single id is a one-node cluster. Once the log or a snapshot holds a
    /// configuration (after a membership change), that one is in force instead.
    public var voters: [NodeID]
    /// Addresses of the first configuration's voters, carried into later configurations.
    public var addresses: [NodeID: String]
    /// This node joins a running cluster: it is not one of `voters`, never campaigns, and
    /// becomes a voter when it receives the configuration entry that adds it.
    public var isJoining: Bool
    /// Base election timeout. A follower that hears no leader for a random number of ticks in
    /// `[electionTick, 2 * electionTick)` starts an election; a check-quorum leader steps down if
    /// a majority stayed silent for `electionTick` ticks.
    public var electionTick: Int
    /// Ticks between leader heartbeats. Must be smaller than `electionTick`.
    public var heartbeatTick: Int
    /// Run a pre-vote round before a real election so a node that cannot win (partitioned,
    /// behind) does not bump everyone's term when it reconnects.
    public var preVote: Bool
    /// A leader steps down when it has not heard from a majority for `electionTick` ticks, and a
    /// follower that heard from its leader within that time ignores vote requests (leader lease).
    public var checkQuorum: Bool
    /// Maximum number of entries in one AppendEntries message (the seed's "batch size").
    public var maxEntriesPerMessage: Int
    /// Maximum number of AppendEntries in flight to one follower while replicating.
    public var maxInflightMessages: Int
    /// A follower further behind than this many entries is reported as ``ReplicationHealth/desynced``.
    public var resyncThreshold: UInt64
    /// Reproduces the seed's static leader: no elections ever. The node with
    /// `isInitialLeader` leads term 1 forever (also after restarts); the others follow forever.
    public var staticLeadership: Bool
    /// At its very first start (empty log, term 0) this node becomes leader of term 1 at once,
    /// without an election. Configure it on at most one node. Elections never use term 1, so
    /// this bootstrap leader cannot clash with an elected one.
    public var isInitialLeader: Bool
    /// Seed of the generator that randomizes election timeouts. Give each node a different one
    /// (the node layer can use a system random number; simulations derive it from their seed).
    public var randomSeed: UInt64
    /// Deliberately broken rules, for mutation tests only (see ``SafetyMutation``).
    var mutations: Set<SafetyMutation>

    /// Creates a configuration with the defaults described on each property.
    public init(
        id: NodeID,
        voters: [NodeID],
        electionTick: Int = 10,
        heartbeatTick: Int = 1,
        preVote: Bool = true,
        checkQuorum: Bool = true,
        maxEntriesPerMessage: Int = 100,
        maxInflightMessages: Int = 64,
        resyncThreshold: UInt64 = 1000,
        staticLeadership: Bool = false,
        isInitialLeader: Bool = false,
        randomSeed: UInt64? = nil,
        addresses: [NodeID: String] = [:],
        isJoining: Bool = false
    ) {
        self.id = id
        if isJoining {
            self.voters = voters.filter { $0 != id }
        } else {
            self.voters = voters.contains(id) ? voters : voters + [id]
        }
        self.addresses = addresses
        self.isJoining = isJoining
        self.electionTick = electionTick
        self.heartbeatTick = heartbeatTick
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxEntriesPerMessage = maxEntriesPerMessage
        self.maxInflightMessages = maxInflightMessages
        self.resyncThreshold = resyncThreshold
        self.staticLeadership = staticLeadership
        self.isInitialLeader = isInitialLeader
        self.randomSeed = randomSeed ?? id
        self.mutations = []
    }

    /// The first configuration: ``voters`` at ``addresses``.
    public var initialMembership: Membership {
        Membership(addresses: Dictionary(uniqueKeysWithValues: voters.map { ($0, addresses[$0] ?? "") }))
    }
}

/// Safety rules a test can switch off to prove the simulator notices (mutation testing).
/// Internal: only reachable with `@testable import LithairConsensus`.
enum SafetyMutation: Sendable, Hashable {
    /// Commit an entry of an earlier term as soon as a majority stores it (Raft figure 8 bug).
    case commitPreviousTermByCounting
    /// Grant (pre-)votes without checking the candidate's log is at least as up to date.
    case voteWithoutLogCheck
    /// Start a membership change while the previous one is uncommitted, or before the leader
    /// committed an entry of its term (the single-server-change bug the thesis' erratum fixes).
    case overlappingMembershipChanges
    /// Let a learner's acknowledgement stand in for a voter's in the commit count.
    case countLearnersTowardCommit
    /// Let a leader count its own entries toward a commit before they are synced
    /// (``RaftCore/advance(_:entriesDurable:)`` with `entriesDurable: false`).
    case leaderCountsUnsyncedEntries
}
