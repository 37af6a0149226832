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
    /// Last word on each node's configuration (mutation tests switch rules off here).
    public var configure: @Sendable (inout RaftConfig) -> Void

    /// Creates options with the defaults used by the test suite.
    public init(
        seed: UInt64, nodeCount: Int? = nil, chaosTicks: Int = 250, livenessTicks: Int = 400, tracing: Bool = false,
        configure: @escaping @Sendable (inout RaftConfig) -> Void = { _ in }
    ) {
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
        let preVote = Bool.random(using: &random)
        let checkQuorum = Bool.random(using: &random)
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
        let setup =
            "nodes=\(nodeCount) preVote=\(preVote) checkQuorum=\(checkQuorum) batch=\(batch) window=\(window) "
            + "heartbeat=\(heartbeat) bootstrapLeader=\(bootstrap) \(profile)"
        cluster.note("seed \(options.seed): \(setup)")
        var driver = Driver(cluster: cluster, random: random, profile: profile)
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

/// Per-seed fault intensities, so some seeds are gentle and others brutal.
struct FaultProfile: CustomStringConvertible {
    enum Style: String {
        /// Every kind of fault at random intensities.
        case mixed
        /// Few network faults but leaders die at the worst moments (right after being elected,
        /// right after committing): the schedules of Raft's figure 8.
        case leaderChurn
    }

    var style: Style
    var network: NetworkFaults
    var crashRate: Double
    var crashAfterCommitRate: Double
    var crashAfterElectionRate: Double
    var partitionRate: Double
    var healRate: Double

    init(random: inout SplitMix64) {
        style = random.next() % 4 == 0 ? .leaderChurn : .mixed
        network = NetworkFaults(
            dropRate: [0, 0.02, 0.1, 0.2].randomElement(using: &random)!,
            duplicateRate: [0, 0.02, 0.05].randomElement(using: &random)!,
            maxDelay: [0, 1, 3, 6].randomElement(using: &random)!)
        crashRate = [0.005, 0.01, 0.02].randomElement(using: &random)!
        crashAfterCommitRate = [0, 0.2, 0.5].randomElement(using: &random)!
        crashAfterElectionRate = [0, 0.2, 0.5].randomElement(using: &random)!
        partitionRate = [0.005, 0.01, 0.03].randomElement(using: &random)!
        healRate = [0.02, 0.05, 0.1].randomElement(using: &random)!
        if style == .leaderChurn {
            network = NetworkFaults(maxDelay: network.maxDelay / 3)
            crashAfterCommitRate = 0.5
            crashAfterElectionRate = 0.5
            partitionRate = 0.005
        }
    }

    var description: String {
        "\(style) drop=\(network.dropRate) dup=\(network.duplicateRate) delay≤\(network.maxDelay) crash=\(crashRate) "
            + "crashAfterCommit=\(crashAfterCommitRate) crashAfterElection=\(crashAfterElectionRate) "
            + "partition=\(partitionRate) heal=\(healRate)"
    }
}

/// The random schedule of faults and client requests.
private struct Driver {
    let cluster: SimulatedCluster
    var random: SplitMix64
    let profile: FaultProfile
    var restartAt: [NodeID: UInt64] = [:]
    var commandCounter: UInt64 = 0

    init(cluster: SimulatedCluster, random: SplitMix64, profile: FaultProfile) {
        self.cluster = cluster
        self.random = random
        self.profile = profile
        cluster.faults = profile.network
        cluster.crashAfterCommitRate = profile.crashAfterCommitRate
        cluster.crashAfterElectionRate = profile.crashAfterElectionRate
    }

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    private mutating func nextCommand() -> [UInt8] {
        commandCounter += 1
        return withUnsafeBytes(of: commandCounter.littleEndian) { Array($0) }
    }

    private var upNodes: [NodeID] { cluster.ids.filter { cluster.node($0).isUp } }

    mutating func chaos(ticks: Int) {
        for _ in 0..<ticks {
            injectFaults()
            clientRequests()
            step()
            if !cluster.violations.isEmpty { return }
        }
    }

    private func step() {
        cluster.tickAll()
        cluster.deliverDue()
    }

    private mutating func injectFaults() {
        for (id, tick) in restartAt where tick <= cluster.now {
            restartAt[id] = nil
            cluster.restart(id)
        }
        // Half of the crashes hit the leader: leader changes are where Raft's rules matter most.
        if chance(profile.crashRate),
            let victim = chance(0.5) ? (cluster.leader ?? upNodes.first) : upNodes.randomElement(using: &random)
        {
            cluster.crash(victim)
        }
        for id in cluster.ids where !cluster.node(id).isUp && restartAt[id] == nil {
            restartAt[id] = cluster.now + UInt64.random(in: 3...30, using: &random)
        }
        if chance(profile.partitionRate) {
            formPartition()
        } else if !cluster.blockedLinks.isEmpty && chance(profile.healRate) {
            cluster.heal()
        }
    }

    private mutating func formPartition() {
        let ids = cluster.ids
        switch random.next() % 4 {
        case 0:
            cluster.isolate(ids.randomElement(using: &random)!)
        case 1:
            // Cut the leader off: it may keep accepting proposals that only it stores.
            cluster.isolate(cluster.leader ?? ids.randomElement(using: &random)!)
        case 2:
            let shuffled = ids.shuffled(using: &random)
            let cut = Int.random(in: 1..<ids.count, using: &random)
            cluster.partition([Array(shuffled[..<cut]), Array(shuffled[cut...])])
        default:
            for _ in 0..<Int.random(in: 1...ids.count, using: &random) {
                let from = ids.randomElement(using: &random)!
                let to = ids.randomElement(using: &random)!
                if from != to { cluster.block(Link(from: from, to: to)) }
            }
        }
    }

    private mutating func clientRequests() {
        let up = upNodes
        guard let target = up.randomElement(using: &random) else { return }
        if chance(0.3) {
            propose(at: target)
        }
        if chance(0.05) {
            try? cluster.readIndex(at: target, context: nextCommand())
        }
        if chance(0.01), let leader = cluster.leader, let peer = cluster.ids.randomElement(using: &random) {
            try? cluster.transferLeadership(from: leader, to: peer)
        }
        if chance(0.03) {
            cluster.snapshotAndCompact(target)
        }
    }

    /// Proposes at `target`, following one not-leader redirect like a client would.
    private mutating func propose(at target: NodeID) {
        let command = nextCommand()
        do {
            try cluster.propose(command, at: target)
        } catch .notLeader(let leaderID?) where cluster.node(leaderID).isUp {
            _ = try? cluster.propose(command, at: leaderID)
        } catch {}
    }

    /// Heals every fault, then requires a new proposal to commit within `ticks`.
    mutating func healAndAwaitCommit(ticks: Int) {
        cluster.heal()
        cluster.faults.dropRate = 0
        cluster.faults.duplicateRate = 0
        cluster.crashAfterCommitRate = 0
        cluster.crashAfterElectionRate = 0
        for id in cluster.ids { cluster.restart(id) }
        restartAt = [:]
        let deadline = cluster.now + UInt64(ticks)
        let acknowledgedBefore = cluster.acknowledged.count
        var attempts: Set<LogPosition> = []
        var lastAttempt: UInt64?
        while cluster.now < deadline {
            step()
            if !cluster.violations.isEmpty { return }
            if cluster.acknowledged[acknowledgedBefore...].contains(where: attempts.contains) { return }
            // Retry if a leader change may have lost the previous attempt.
            let retryDue = lastAttempt.map { cluster.now - $0 > 30 } ?? true
            if retryDue, let leader = cluster.leader, let position = try? cluster.propose(nextCommand(), at: leader) {
                attempts.insert(position)
                lastAttempt = cluster.now
            }
        }
        cluster.stalled("no proposal committed within \(ticks) ticks after every fault healed")
    }
}
