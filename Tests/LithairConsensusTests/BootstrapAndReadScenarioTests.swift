import LithairConsensus
import LithairSimulation
import Testing

/// Bootstrap modes, single-node clusters and ReadIndex.
@Suite("Bootstrap and ReadIndex scenarios")
struct BootstrapAndReadScenarioTests {
    @Test("isInitialLeader: the configured node leads term 1 at first start, with no election")
    func initialLeader() throws {
        let cluster = SimulatedCluster(nodeCount: 3) { $0.isInitialLeader = $0.id == 1 }
        #expect(cluster.core(1).role == .leader)
        #expect(cluster.core(1).term == 1)
        #expect(!cluster.inFlight.contains { $0.message.isElection })

        let entry = try cluster.propose([0x01], at: 1)
        cluster.deliverAll()
        #expect(cluster.core(2).leaderID == 1)
        #expect(cluster.core(3).committedIndex == entry.index)

        // After that it is ordinary Raft: a restarted node is a follower, elections use term 2+.
        cluster.crash(1)
        cluster.restart(1)
        #expect(cluster.core(1).role == .follower)
        #expect(cluster.run(upTo: 60) { $0.leader != nil })
        #expect(cluster.core(cluster.leader!).term >= 2)
        #expect(cluster.violations.isEmpty)
    }

    @Test("staticLeadership: followers never elect, even when the leader is gone")
    func staticLeadership() throws {
        let cluster = SimulatedCluster(nodeCount: 3) {
            $0.staticLeadership = true
            $0.isInitialLeader = $0.id == 1
        }
        cluster.deliverAll()
        cluster.crash(1)
        cluster.run(ticks: 100)
        for id: NodeID in [2, 3] {
            #expect(cluster.core(id).role == .follower)
            #expect(cluster.core(id).term == 1)
        }
        // The static leader comes back as leader of the same term and carries on.
        cluster.restart(1)
        #expect(cluster.core(1).role == .leader)
        let entry = try cluster.propose([0x01], at: 1)
        cluster.deliverAll()
        #expect(cluster.core(2).committedIndex == entry.index)
        #expect(cluster.violations.isEmpty)
    }

    @Test("a single node elects itself and commits on its own persistence")
    func singleNode() throws {
        let cluster = SimulatedCluster(nodeCount: 1)
        #expect(cluster.run(upTo: 30) { $0.leader == 1 })
        let entry = try cluster.propose([0x2A], at: 1)
        #expect(cluster.core(1).committedIndex == entry.index)
        #expect(cluster.node(1).appliedCommands == [[0x2A]])
        try cluster.readIndex(at: 1, context: [0x01])
        #expect(cluster.readResults.last?.state == ReadState(index: entry.index, context: [0x01]))
    }

    @Test("compaction hands back the entries it drops and never passes the applied index")
    func compactionReturnsDroppedEntries() throws {
        let cluster = SimulatedCluster(nodeCount: 1) { $0.isInitialLeader = true }
        let first = try cluster.propose([0x01], at: 1)
        let second = try cluster.propose([0x02], at: 1)
        var core = cluster.core(1)
        let dropped = try core.compactReturningDroppedEntries(through: first.index)
        #expect(dropped.map(\.index) == Array(1...first.index))
        #expect(dropped.last?.data == [0x01])
        #expect(core.snapshotMetadata.index == first.index)
        #expect(core.term(at: second.index) == second.term, "what follows the snapshot stays")
        #expect(throws: RaftError.self) { try core.compactReturningDroppedEntries(through: second.index + 1) }
    }

    @Test("a single node configured isInitialLeader leads at once")
    func singleInitialLeader() throws {
        let cluster = SimulatedCluster(nodeCount: 1) { $0.isInitialLeader = true }
        #expect(cluster.core(1).role == .leader)
        #expect(cluster.core(1).term == 1)
        let entry = try cluster.propose([0x2A], at: 1)
        #expect(cluster.core(1).committedIndex == entry.index)
    }

    @Test("ReadIndex from a follower is forwarded to the leader and confirmed by a heartbeat round")
    func readIndexFromFollower() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        let entry = try cluster.propose([0x07], at: 1)
        cluster.deliverAll()

        try cluster.readIndex(at: 2, context: [0xAA])
        #expect(cluster.readResults.isEmpty, "needs the leader's confirmation first")
        cluster.deliverAll()
        let answer = try #require(cluster.readResults.last)
        #expect(answer.node == 2)
        #expect(answer.state == ReadState(index: entry.index, context: [0xAA]))
        #expect(cluster.violations.isEmpty)
    }

    @Test("a new leader answers reads only after committing an entry of its own term")
    func readIndexWaitsForTermCommit() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        try cluster.readIndex(at: 1, context: [0x01])
        cluster.deliverRepeatedly { $0.isElection }
        #expect(cluster.readResults.isEmpty)
        cluster.deliverAll()
        #expect(cluster.readResults.last?.state.index == 1, "the no-op of term 2 is committed")
    }

    @Test("an isolated leader cannot confirm a read: no stale answer")
    func isolatedLeaderCannotServeReads() throws {
        let cluster = SimulatedCluster(nodeCount: 3) { $0.checkQuorum = false }
        #expect(cluster.elect(1))
        cluster.deliverAll()
        cluster.isolate(1)
        try cluster.readIndex(at: 1, context: [0x01])
        cluster.run(ticks: 30)
        #expect(cluster.readResults.isEmpty)
    }

    @Test("ReadIndex without any known leader is refused")
    func readIndexWithoutLeader() {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(throws: RaftError.noLeader) { try cluster.readIndex(at: 2, context: [0x02]) }
    }
}
