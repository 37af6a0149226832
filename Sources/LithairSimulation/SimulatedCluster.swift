import LithairConsensus

/// A cluster of simulated nodes wired through a simulated network, with every Raft safety
/// property checked as it runs. Scenario tests drive it by hand; ``Simulation`` drives it
/// with random faults from a seed.
///
/// Nodes handle each ``Ready`` exactly as the contract says: persist (snapshot, entries, hard
/// state), then send, then apply, then `advance`. A crash therefore loses precisely what a real
/// node would lose.
public final class SimulatedCluster {
    /// A message on the wire, with the snapshot bytes a real transport would stream beside it.
    public struct Envelope: Sendable {
        /// The message.
        public var message: RaftMessage
        /// State machine contents for an InstallSnapshot.
        var snapshotState: MachineState?
        /// Tick at which it arrives.
        var deliverAt: UInt64
        /// A network duplicate (its loss is not reported to the sender).
        var isDuplicate: Bool
    }

    /// Node ids, in order.
    public private(set) var ids: [NodeID]
    /// The nodes.
    public internal(set) var nodes: [NodeID: SimulatedNode] = [:]
    /// Messages sent and not yet delivered or dropped.
    public internal(set) var inFlight: [Envelope] = []
    /// Links that currently lose every message.
    public internal(set) var blockedLinks: Set<Link> = []
    /// Network behaviour for messages.
    public var faults = NetworkFaults()
    /// Probability that a leader dies right after making a Ready durable but before sending its
    /// messages, whenever that Ready advanced its commit index. This is the narrow crash window
    /// that turns a wrongly committed entry into a lost one (Raft figure 8).
    public var crashAfterCommitRate = 0.0
    /// Probability that a node dies right after persisting the Ready that made it leader (its
    /// vote and no-op entry) but before sending anything: a term whose leader wrote an entry
    /// nobody else has, the other ingredient of figure 8.
    public var crashAfterElectionRate = 0.0
    /// Leaders write their new entries and sync them later, as a Lithair leader does: the sync
    /// completes at a random later step (``completeSyncs(chance:)``), or before the node next
    /// persists anything as a follower or candidate, and a crash loses a random suffix of what
    /// was not synced.
    public var deferLeaderSyncs = false
    /// Safety checks, fed as the cluster runs.
    public internal(set) var checker = SafetyChecker()
    /// Simulated time.
    public private(set) var now: UInt64 = 0
    /// Positions of acknowledged proposals (applied somewhere with the proposed term).
    public internal(set) var acknowledged: [LogPosition] = []
    /// Every ReadIndex answer, by node.
    public internal(set) var readResults: [(node: NodeID, state: ReadState)] = []
    /// Trace lines, if tracing is on.
    public private(set) var trace: [String] = []

    var random: SplitMix64
    let tracing: Bool
    var proposals: [LogPosition: [UInt8]] = [:]
    var readRequirements: [[UInt8]: UInt64] = [:]

    /// Creates a cluster of nodes `1...nodeCount`.
    ///
    /// - Parameters:
    ///   - seed: drives network faults and the nodes' election timeouts.
    ///   - configure: adjusts each node's configuration.
    ///   - tracing: record a human-readable trace of every event.
    public init(
        nodeCount: Int, seed: UInt64 = 1, tracing: Bool = false, configure: (inout RaftConfig) -> Void = { _ in }
    ) {
        ids = (1...UInt64(nodeCount)).map { $0 }
        random = SplitMix64(seed: seed)
        self.tracing = tracing
        for id in ids {
            var config = RaftConfig(id: id, voters: ids, randomSeed: random.next())
            configure(&config)
            nodes[id] = SimulatedNode(config: config)
        }
        for id in ids { drain(id) }
    }

    // MARK: Inspection

    /// The node with this id.
    public func node(_ id: NodeID) -> SimulatedNode { nodes[id]! }

    /// The running core of a node (crashes the test if the node is down).
    public func core(_ id: NodeID) -> RaftCore { nodes[id]!.core! }

    /// Violations found so far.
    public var violations: [String] { checker.violations }

    /// The up node that leads the highest term, if any.
    public var leader: NodeID? {
        ids.compactMap { id in nodes[id]?.core.flatMap { $0.role == .leader ? ($0.term, id) : nil } }
            .max { $0.0 < $1.0 }?.1
    }

    /// Records a trace line (built only when tracing).
    func note(_ line: @autoclosure () -> String) {
        if tracing { trace.append("t=\(now) \(line())") }
    }

    // MARK: Driving the nodes

    /// Delivers one tick to one node.
    public func tick(_ id: NodeID) {
        guard nodes[id]?.core != nil else { return }
        nodes[id]!.core!.tick()
        drain(id)
    }

    /// Advances simulated time by one tick for every running node.
    public func tickAll() {
        now += 1
        for id in ids { tick(id) }
    }

    /// Scenario helper: `ticks` rounds of "every node ticks, then the network goes quiet".
    public func run(ticks: Int) {
        for _ in 0..<ticks {
            tickAll()
            deliverAll()
        }
    }

    /// Scenario helper: runs tick rounds until `condition` holds; false if `maxTicks` ran out.
    @discardableResult
    public func run(upTo maxTicks: Int, until condition: (SimulatedCluster) -> Bool) -> Bool {
        for _ in 0..<maxTicks {
            if condition(self) { return true }
            tickAll()
            deliverAll()
        }
        return condition(self)
    }

    /// Starts an election on `id` now (pre-vote first if configured).
    public func campaign(_ id: NodeID) {
        note("n\(id) campaigns")
        nodes[id]!.core!.campaign()
        drain(id)
    }

    /// Proposes `data` on `id`.
    @discardableResult
    public func propose(_ data: [UInt8], at id: NodeID) throws(RaftError) -> LogPosition {
        let position = try nodes[id]!.core!.propose(data)
        proposals[position] = data
        note("n\(id) proposes \(data) at \(position.index)/\(position.term)")
        drain(id)
        return position
    }

    /// Asks `id` for a read index; the answer lands in ``readResults``.
    public func readIndex(at id: NodeID, context: [UInt8]) throws(RaftError) {
        // Any commit recorded before the request must be visible to the read.
        readRequirements[context] = checker.maxCommitted
        try nodes[id]!.core!.readIndex(context: context)
        note("n\(id) readIndex \(context) (must be ≥ \(checker.maxCommitted))")
        drain(id)
    }

    /// Starts brand-new node `id`, which joins the cluster of the current nodes: it votes only
    /// once a configuration entry adds it (see ``proposeMembership(_:at:)``).
    public func addJoiningNode(_ id: NodeID, configure: (inout RaftConfig) -> Void = { _ in }) {
        precondition(nodes[id] == nil, "node \(id) exists")
        var config = RaftConfig(id: id, voters: ids, randomSeed: random.next(), isJoining: true)
        configure(&config)
        ids.append(id)
        nodes[id] = SimulatedNode(config: config)
        note("n\(id) starts, joining \(config.voters)")
        drain(id)
    }

    /// Proposes the configuration `membership` on `id`.
    @discardableResult
    public func proposeMembership(_ membership: Membership, at id: NodeID) throws(RaftError) -> LogPosition {
        let position = try nodes[id]!.core!.proposeMembership(membership)
        note("n\(id) proposes voters \(membership.voters) at \(position.index)/\(position.term)")
        drain(id)
        return position
    }

    /// Asks leader `id` to catch `learner` up and then add it as a voter.
    public func addVoterAfterCatchUp(_ learner: NodeID, at id: NodeID) throws(RaftError) {
        try nodes[id]!.core!.addVoterAfterCatchUp(learner, address: "n\(learner)")
        note("n\(id) catches up learner n\(learner)")
        drain(id)
    }

    /// Tells leader `id` that `peer` could not be reached (a Lithair node's transport does when
    /// a request to it fails).
    public func reportUnreachable(_ peer: NodeID, at id: NodeID) {
        nodes[id]!.core!.reportUnreachable(peer)
        drain(id)
    }

    /// Asks leader `id` to hand leadership to `target`.
    public func transferLeadership(from id: NodeID, to target: NodeID) throws(RaftError) {
        try nodes[id]!.core!.transferLeadership(to: target)
        note("n\(id) transfers leadership to n\(target)")
        drain(id)
    }

    /// Takes a snapshot of `id`'s state machine at its applied index and compacts its log.
    public func snapshotAndCompact(_ id: NodeID) {
        guard var node = nodes[id], var core = node.core, node.machine.appliedIndex > node.storage.snapshotIndex
        else { return }
        // The snapshot is the machine at its applied index, which advance() reported to the core.
        guard let metadata = try? core.compact(through: node.machine.appliedIndex) else { return }
        node.storage.snapshot = metadata
        node.storage.snapshotState = node.machine
        node.storage.entries.removeAll { $0.index <= metadata.index }
        node.core = core
        nodes[id] = node
        note("n\(id) snapshot + compaction through \(metadata.index)/\(metadata.term)")
    }

    /// Kills a node: it loses everything not persisted; its in-flight messages stay on the wire.
    public func crash(_ id: NodeID) {
        guard nodes[id]?.isUp == true else { return }
        loseUnsynced(&nodes[id]!)
        nodes[id]!.crash()
        note("n\(id) CRASHES")
    }

    /// Restarts a crashed node from its disk.
    public func restart(_ id: NodeID) {
        guard nodes[id]?.isUp == false else { return }
        nodes[id]!.restart()
        note("n\(id) restarts: \(nodes[id]!.storage.hardState), last index \(nodes[id]!.storage.lastIndex)")
        drain(id)
    }

    /// Checks that every acknowledged proposal is still in `leader`'s log (or its snapshot).
    public func checkAcknowledgedEntriesSurvive(on leader: NodeID) {
        guard let core = nodes[leader]?.core else { return }
        for position in acknowledged where position.index > core.snapshotMetadata.index {
            if core.term(at: position.index) != position.term {
                checker.fail("acknowledged entry \(position.index)/\(position.term) is missing from leader \(leader)")
                return
            }
        }
    }

    /// Records a liveness failure.
    func stalled(_ message: String) {
        checker.stalled(message)
    }
}
