import LithairConsensus

/// What one simulated run does.
public struct SimulationOptions: Sendable {
    /// The seed: the whole run (configuration, faults, workload, timeouts) derives from it.
    public var seed: UInt64
    /// Cluster size; nil picks 3 or 5 from the seed.
    public var nodeCount: Int?
    /// Ticks of faults and client load.
    public var chaosTicks: Int
    /// Ticks allowed, after every fault heals, for a leader to commit a new proposal.
    public var livenessTicks: Int
    /// Record a trace of every event.
    public var tracing: Bool
    /// Start two spare nodes that join, and add and remove voters one at a time during chaos.
    public var membershipChanges: Bool
    /// Last word on each node's configuration (mutation tests switch rules off here).
    public var configure: @Sendable (inout RaftConfig) -> Void

    /// Creates options with the defaults used by the test suite.
    public init(
        seed: UInt64, nodeCount: Int? = nil, chaosTicks: Int = 250, livenessTicks: Int = 400, tracing: Bool = false,
        membershipChanges: Bool = false, configure: @escaping @Sendable (inout RaftConfig) -> Void = { _ in }
    ) {
        self.membershipChanges = membershipChanges
        self.seed = seed
        self.nodeCount = nodeCount
        self.chaosTicks = chaosTicks
        self.livenessTicks = livenessTicks
        self.tracing = tracing
        self.configure = configure
    }
}

/// Outcome of one simulated run.
public struct SimulationReport: Sendable {
    /// The seed that was run.
    public var seed: UInt64
    /// Cluster size.
    public var nodeCount: Int
    /// Safety and liveness violations (empty on success).
    public var violations: [String]
    /// Human-readable description of the randomized setup.
    public var setup: String
    /// Trace of the run, if requested.
    public var trace: [String]
    /// Proposals acknowledged during the run.
    public var acknowledgedProposals: Int
    /// Highest committed index.
    public var committedIndex: UInt64
    /// Ticks simulated.
    public var ticks: UInt64

    /// True if no violation was found.
    public var passed: Bool { violations.isEmpty }

    /// The command that replays this run with a trace.
    public var replayCommand: String { "scripts/simulate --seed \(seed)" }
}

/// Runs a randomized fault schedule against a simulated cluster and checks Raft's properties.
///
/// Phase 1 (chaos): clients propose, read, transfer leadership and compact logs while nodes
/// crash and restart, partitions (also one-way) form and heal, and the network drops,
/// duplicates, delays and reorders messages. Phase 2 (liveness): every fault heals; a leader
/// must commit a fresh proposal within `livenessTicks`.
public enum Simulation {
    /// Runs one seed.
    public static func run(_ options: SimulationOptions) -> SimulationReport {
        var random = SplitMix64(seed: options.seed)
        let nodeCount = options.nodeCount ?? (random.next() % 2 == 0 ? 3 : 5)
        let profile = FaultProfile(random: &random)
        // A removed voter that never learns of its removal keeps campaigning; pre-vote and
        // check-quorum (a real node's settings) keep it from deposing the leader.
        let preVote = Bool.random(using: &random) || options.membershipChanges
        let checkQuorum = Bool.random(using: &random) || options.membershipChanges
        // Leader-churn seeds ship one entry per message, so a follower can hold an old-term
        // entry without the new leader's no-op after it: the figure-8 window.
        let batch = profile.style == .leaderChurn ? 1 : [1, 2, 3, 100].randomElement(using: &random)!
        let window = [1, 2, 4, 64].randomElement(using: &random)!
        let heartbeat = [1, 1, 3].randomElement(using: &random)!
        let bootstrap = random.next() % 4 == 0
        let configure = options.configure
        let cluster = SimulatedCluster(nodeCount: nodeCount, seed: random.next(), tracing: options.tracing) { config in
            config.electionTick = 10
            config.heartbeatTick = heartbeat
            config.preVote = preVote
            config.checkQuorum = checkQuorum
            config.maxEntriesPerMessage = batch
            config.maxInflightMessages = window
            config.isInitialLeader = bootstrap && config.id == 1
            configure(&config)
        }
        if options.membershipChanges {
            for spare in UInt64(nodeCount + 1)...UInt64(nodeCount + 2) {
                cluster.addJoiningNode(spare) { config in
                    config.electionTick = 10
                    config.heartbeatTick = heartbeat
                    config.maxEntriesPerMessage = batch
                    config.maxInflightMessages = window
                    configure(&config)
                }
            }
        }
        let setup =
            "membershipChanges=\(options.membershipChanges) nodes=\(nodeCount) preVote=\(preVote) checkQuorum=\(checkQuorum) batch=\(batch) window=\(window) "
            + "heartbeat=\(heartbeat) bootstrapLeader=\(bootstrap) \(profile)"
        cluster.note("seed \(options.seed): \(setup)")
        var driver = Driver(
            cluster: cluster, random: random, profile: profile, membershipChanges: options.membershipChanges)
        driver.chaos(ticks: options.chaosTicks)
        if cluster.violations.isEmpty {
            driver.healAndAwaitCommit(ticks: options.livenessTicks)
        }
        return SimulationReport(
            seed: options.seed, nodeCount: nodeCount, violations: cluster.violations, setup: setup,
            trace: cluster.trace, acknowledgedProposals: cluster.acknowledged.count,
            committedIndex: cluster.checker.maxCommitted, ticks: cluster.now)
    }
}
