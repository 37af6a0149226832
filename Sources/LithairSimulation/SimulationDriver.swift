import LithairConsensus

/// The random schedule of faults and client requests.
struct Driver {
    let cluster: SimulatedCluster
    var random: SplitMix64
    let profile: FaultProfile
    var restartAt: [NodeID: UInt64] = [:]
    var commandCounter: UInt64 = 0
    let membershipChanges: Bool

    init(cluster: SimulatedCluster, random: SplitMix64, profile: FaultProfile, membershipChanges: Bool = false) {
        self.membershipChanges = membershipChanges
        self.cluster = cluster
        self.random = random
        self.profile = profile
        cluster.faults = profile.network
        cluster.crashAfterCommitRate = profile.crashAfterCommitRate
        cluster.crashAfterElectionRate = profile.crashAfterElectionRate
        // From a stream of its own, so that seeds without deferred syncs run as they always did.
        var copy = random
        var side = SplitMix64(seed: copy.next() ^ 0x5EED_DEF0)
        cluster.deferLeaderSyncs = side.next() % 2 == 0
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
        if cluster.deferLeaderSyncs { cluster.completeSyncs(chance: 0.4) }
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
        if chance(0.05) {
            cluster.snapshotAndCompact(target)
        }
        if membershipChanges, chance(0.08), let leader = cluster.leader {
            changeMembership(at: leader)
        }
    }

    /// Adds or removes one random node on `leader`, keeping at least two voters. Half the adds
    /// go through a learner's catch-up (what the node layer does), half straight to a vote.
    private mutating func changeMembership(at leader: NodeID) {
        let current = cluster.core(leader).membership
        let id = cluster.ids.randomElement(using: &random)!
        if current.contains(id) {
            guard current.voters.count > 2 else { return }
            _ = try? cluster.proposeMembership(current.removing(id), at: leader)
        } else if chance(0.5) {
            try? cluster.addVoterAfterCatchUp(id, at: leader)
        } else {
            _ = try? cluster.proposeMembership(current.adding(id, address: "n\(id)"), at: leader)
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
            if cluster.acknowledged[acknowledgedBefore...].contains(where: attempts.contains),
                let leader = cluster.leader
            {
                cluster.checkAcknowledgedEntriesSurvive(on: leader)
                return
            }
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
