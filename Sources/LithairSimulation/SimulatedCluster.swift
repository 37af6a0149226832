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
    public let ids: [NodeID]
    /// The nodes.
    public private(set) var nodes: [NodeID: SimulatedNode] = [:]
    /// Messages sent and not yet delivered or dropped.
    public private(set) var inFlight: [Envelope] = []
    /// Links that currently lose every message.
    public private(set) var blockedLinks: Set<Link> = []
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
    /// Safety checks, fed as the cluster runs.
    public private(set) var checker = SafetyChecker()
    /// Simulated time.
    public private(set) var now: UInt64 = 0
    /// Positions of acknowledged proposals (applied somewhere with the proposed term).
    public private(set) var acknowledged: [LogPosition] = []
    /// Every ReadIndex answer, by node.
    public private(set) var readResults: [(node: NodeID, state: ReadState)] = []
    /// Trace lines, if tracing is on.
    public private(set) var trace: [String] = []

    var random: SplitMix64
    private let tracing: Bool
    private var proposals: [LogPosition: [UInt8]] = [:]
    private var readRequirements: [[UInt8]: UInt64] = [:]

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

    // MARK: Network

    /// Cuts every link between the groups (links inside a group stay up).
    public func partition(_ groups: [[NodeID]]) {
        blockedLinks = []
        for (a, groupA) in groups.enumerated() {
            for (b, groupB) in groups.enumerated() where a != b {
                for from in groupA { for to in groupB { blockedLinks.insert(Link(from: from, to: to)) } }
            }
        }
        note("partition \(groups)")
    }

    /// Cuts `id` off from everyone, both ways.
    public func isolate(_ id: NodeID) {
        partition([[id], ids.filter { $0 != id }])
    }

    /// Cuts one direction of one link.
    public func block(_ link: Link) {
        blockedLinks.insert(link)
        note("block \(link.from)→\(link.to)")
    }

    /// Restores every link.
    public func heal() {
        blockedLinks = []
        note("heal")
    }

    /// Removes in-flight messages matching `predicate` (lost on the wire).
    public func dropMessages(where predicate: (RaftMessage) -> Bool) {
        inFlight.removeAll { predicate($0.message) }
    }

    /// Delivers every message due by now, in random order.
    public func deliverDue() {
        var due: [Envelope] = []
        inFlight.removeAll { envelope in
            guard envelope.deliverAt <= now else { return false }
            due.append(envelope)
            return true
        }
        due.shuffle(using: &random)
        for envelope in due { deliver(envelope) }
    }

    /// Delivers messages in FIFO order until the network is quiet (scenario tests).
    public func deliverAll(rounds: Int = 100) {
        for _ in 0..<rounds where !inFlight.isEmpty {
            let batch = inFlight
            inFlight = []
            for envelope in batch { deliver(envelope) }
        }
    }

    /// Delivers only the in-flight messages matching `predicate`, once, in FIFO order.
    public func deliver(where predicate: (RaftMessage) -> Bool) {
        var chosen: [Envelope] = []
        inFlight.removeAll { envelope in
            guard predicate(envelope.message) else { return false }
            chosen.append(envelope)
            return true
        }
        for envelope in chosen { deliver(envelope) }
    }

    private func chance(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1, using: &random) < probability
    }

    private func enqueue(_ message: RaftMessage, snapshotState: MachineState?) {
        let copies = faults.duplicateRate > 0 && Double.random(in: 0..<1, using: &random) < faults.duplicateRate ? 2 : 1
        for copy in 0..<copies {
            let delay = faults.maxDelay > 0 ? UInt64.random(in: 0...faults.maxDelay, using: &random) : 0
            inFlight.append(
                Envelope(message: message, snapshotState: snapshotState, deliverAt: now + delay, isDuplicate: copy > 0))
        }
    }

    private func deliver(_ envelope: Envelope) {
        let message = envelope.message
        let link = Link(from: message.from, to: message.to)
        let lost =
            blockedLinks.contains(link) || nodes[message.to]?.isUp != true
            || (faults.dropRate > 0 && Double.random(in: 0..<1, using: &random) < faults.dropRate)
        let isSnapshot: Bool
        if case .installSnapshot = message.body { isSnapshot = true } else { isSnapshot = false }
        if lost {
            note("drop \(message)")
            if isSnapshot && !envelope.isDuplicate {
                reportSnapshot(from: message.from, to: message.to, success: false)
            }
            if blockedLinks.contains(link), nodes[message.from]?.isUp == true {
                nodes[message.from]!.core!.reportUnreachable(message.to)
            }
            return
        }
        note("deliver \(message)")
        if case .installSnapshot(let request) = message.body, let state = envelope.snapshotState {
            nodes[message.to]!.receivedSnapshots[request.snapshot] = state
        }
        nodes[message.to]!.core!.step(message)
        drain(message.to)
        if isSnapshot && !envelope.isDuplicate { reportSnapshot(from: message.from, to: message.to, success: true) }
    }

    private func reportSnapshot(from sender: NodeID, to peer: NodeID, success: Bool) {
        guard nodes[sender]?.isUp == true else { return }
        nodes[sender]!.core!.reportSnapshot(to: peer, success: success)
        drain(sender)
    }

    // MARK: Ready handling

    /// Handles every pending Ready of `id` following the persist-before-send contract.
    func drain(_ id: NodeID) {
        guard var node = nodes[id], var core = node.core else { return }
        while core.hasReady {
            let ready = core.ready()
            let commitBefore = node.storage.hardState.commit
            persist(ready, node: &node, core: core)
            let crashPoint: String?
            if ready.softState?.role == .leader, chance(crashAfterElectionRate) {
                crashPoint = "after persisting its election"
            } else if node.storage.hardState.commit > commitBefore, core.role == .leader, chance(crashAfterCommitRate) {
                crashPoint = "after persisting commit \(node.storage.hardState.commit)"
            } else {
                crashPoint = nil
            }
            if let crashPoint {
                note("n\(id) CRASHES \(crashPoint), before sending")
                node.crash()
                nodes[id] = node
                return
            }
            for message in ready.messages {
                var snapshotState: MachineState?
                if case .installSnapshot(let request) = message.body {
                    if node.storage.snapshot == request.snapshot {
                        snapshotState = node.storage.snapshotState
                    } else {
                        checker.fail("node \(id) sends snapshot \(request.snapshot.index) it has not stored")
                    }
                }
                enqueue(message, snapshotState: snapshotState)
            }
            apply(ready, node: &node)
            core.advance(ready)
        }
        node.core = core
        nodes[id] = node
    }

    private func persist(_ ready: Ready, node: inout SimulatedNode, core: RaftCore) {
        let id = node.id
        if let snapshot = ready.snapshot {
            guard let state = node.receivedSnapshots.removeValue(forKey: snapshot) else {
                checker.fail("node \(id) must install snapshot \(snapshot.index) it never received")
                return
            }
            node.storage.snapshot = snapshot
            node.storage.snapshotState = state
            node.storage.entries = []
            node.machine = state
            node.appliedCommands = []
            checker.installedSnapshot(state, by: id)
            note("n\(id) installs snapshot \(snapshot.index)/\(snapshot.term)")
        }
        if let first = ready.entries.first {
            if first.index > node.storage.lastIndex + 1 {
                checker.fail("node \(id) told to store entry \(first.index) after last index \(node.storage.lastIndex)")
            }
            node.storage.truncateSuffix(from: first.index)
            node.storage.entries.append(contentsOf: ready.entries)
            checker.persisted(ready.entries, by: id, storage: node.storage)
        }
        if let hardState = ready.hardState {
            node.storage.hardState = hardState
            checker.committed(through: hardState.commit, by: id, storage: node.storage, from: node.checkedCommit)
            node.checkedCommit = max(node.checkedCommit, hardState.commit)
        }
        if let soft = ready.softState {
            note("n\(id) is \(soft.role) of term \(core.term) (leader \(soft.leaderID.map(String.init) ?? "-"))")
            if soft.role == .leader {
                checker.becameLeader(
                    id, term: core.term, snapshotIndex: core.snapshotMetadata.index, termAt: { core.term(at: $0) })
            }
        }
    }

    private func apply(_ ready: Ready, node: inout SimulatedNode) {
        for entry in ready.committedEntries {
            guard entry.index == node.machine.appliedIndex + 1 else {
                checker.fail("node \(node.id) applies \(entry.index) after \(node.machine.appliedIndex)")
                return
            }
            node.machine.apply(entry)
            if entry.kind == .normal { node.appliedCommands.append(entry.data) }
            checker.applied(entry, by: node.id, state: node.machine)
            let position = LogPosition(index: entry.index, term: entry.term)
            if let data = proposals[position], data == entry.data {
                proposals[position] = nil
                acknowledged.append(position)
            }
        }
        for read in ready.readStates {
            checker.readAnswered(index: read.index, requiredIndex: readRequirements[read.context] ?? 0, by: node.id)
            readResults.append((node.id, read))
            note("n\(node.id) read state index \(read.index) ctx \(read.context)")
        }
    }

    /// Records a liveness failure.
    func stalled(_ message: String) {
        checker.stalled(message)
    }
}
