import LithairConsensus
import LithairSimulation
import Testing

/// Leader election scenarios, each told step by step. Unless stated otherwise the cluster uses
/// the defaults: pre-vote and check-quorum on, election timeout 10–19 ticks, heartbeat every tick.
@Suite("Election scenarios")
struct ElectionScenarioTests {
    @Test("a partitioned old leader steps down, loses its uncommitted entry and follows the new leader")
    func partitionedOldLeaderComesBack() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()
        #expect(cluster.core(1).term == 2)

        // S1 is cut off. A client still reaches it: the entry is stored on S1 only.
        cluster.isolate(1)
        let stale = try cluster.propose([0x01], at: 1)

        // S2 and S3 stop hearing from S1, elect one of them in term 3 and commit a new entry.
        // S1 notices it lost its majority (check-quorum) and stops acting as leader.
        #expect(cluster.run(upTo: 60) { ($0.leader ?? 1) != 1 && $0.core(1).role != .leader })
        let newLeader = try #require(cluster.leader)
        #expect(cluster.core(newLeader).term == 3)
        let fresh = try cluster.propose([0x02], at: newLeader)
        cluster.deliverAll()

        // The partition heals: S1 learns term 3, its stale entry is overwritten by the leader's log.
        cluster.heal()
        #expect(cluster.run(upTo: 30) { $0.core(1).committedIndex >= fresh.index })
        #expect(cluster.core(1).leaderID == newLeader)
        #expect(cluster.term(of: 1, at: stale.index) != stale.term)
        #expect(cluster.node(1).appliedCommands == [[0x02]])
        #expect(cluster.violations.isEmpty)
    }

    @Test("pre-vote keeps a rejoining node from disrupting the term")
    func preVoteStopsDisruption() {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()

        // S3 is isolated for many election timeouts. It keeps timing out, but each attempt is
        // only a pre-vote that nobody answers: its term never moves.
        cluster.isolate(3)
        cluster.run(ticks: 100)
        #expect(cluster.core(3).term == 2)

        // Back in the cluster, it simply follows S1 again: same leader, same term.
        cluster.heal()
        cluster.run(ticks: 5)
        #expect(cluster.leader == 1)
        #expect(cluster.core(1).term == 2)
        #expect(cluster.core(3).leaderID == 1)
        #expect(cluster.violations.isEmpty)
    }

    @Test("without pre-vote the same rejoining node bumps the term and deposes the leader")
    func withoutPreVoteTheRejoiningNodeDisrupts() {
        let cluster = SimulatedCluster(nodeCount: 3) { $0.preVote = false }
        #expect(cluster.elect(1))
        cluster.deliverAll()
        cluster.isolate(3)
        cluster.run(ticks: 100)
        #expect(cluster.core(3).term > 2, "real elections bump the term on every timeout")

        cluster.heal()
        cluster.run(ticks: 5)
        // S1 hears S3's higher term in a reply and steps down: the cluster needs a new election.
        #expect(cluster.core(1).term > 2)
        #expect(cluster.violations.isEmpty)
    }

    @Test("check-quorum: a leader that cannot reach a majority steps down within two election timeouts")
    func checkQuorumStepDown() {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()

        cluster.isolate(1)
        #expect(cluster.run(upTo: 20) { $0.core(1).role != .leader })
        #expect(throws: RaftError.notLeader(leaderID: nil)) { try cluster.propose([0x01], at: 1) }
    }

    @Test("without check-quorum an isolated leader keeps believing it leads")
    func noCheckQuorumNoStepDown() {
        let cluster = SimulatedCluster(nodeCount: 3) { $0.checkQuorum = false }
        #expect(cluster.elect(1))
        cluster.deliverAll()
        cluster.isolate(1)
        cluster.run(ticks: 50)
        #expect(cluster.core(1).role == .leader)
    }

    @Test("a follower that heard from its leader ignores vote requests (leader stickiness)")
    func leaderLease() {
        let cluster = SimulatedCluster(nodeCount: 3) { $0.preVote = false }
        #expect(cluster.elect(1))
        cluster.deliverAll()
        // S3 campaigns out of turn: S2 has a live leader and ignores it; S1 keeps the lead.
        cluster.campaign(3)
        cluster.deliver { $0.to == 2 }
        #expect(cluster.core(2).term == 2)
        #expect(cluster.core(2).vote == 1)
    }
}
