import LithairSimulation
import Testing

@testable import LithairConsensus

/// Figure 8 of the Raft paper: why a leader may only commit entries of its own term by
/// counting replicas. Five nodes, basic Raft (no pre-vote, no check-quorum, as in the paper),
/// one entry per AppendEntries so we can stop replication between two entries.
@Suite("Raft paper, figure 8")
struct Figure8Tests {
    /// Plays the figure and returns the cluster at the end.
    /// - Parameter mutated: commit previous-term entries by counting replicas (the bug).
    static func playFigure8(mutated: Bool) throws -> SimulatedCluster {
        let cluster = SimulatedCluster(nodeCount: 5) { config in
            config.preVote = false
            config.checkQuorum = false
            config.maxEntriesPerMessage = 1
            if mutated { config.mutations = [.commitPreviousTermByCounting] }
        }
        // (a) S1 leads term 2 and commits its no-op (index 1) everywhere.
        #expect(cluster.elect(1))
        cluster.deliverAll()
        #expect(cluster.core(1).committedIndex == 1)

        // (b) S1 appends X at index 2; only S2 receives it. Then S1 crashes.
        let x = try cluster.propose([0x58], at: 1)
        #expect(x == LogPosition(index: 2, term: 2))
        cluster.deliver { $0.to == 2 }
        cluster.dropMessages { _ in true }
        cluster.crash(1)

        // (c) S5 wins term 3 with votes from S3, S4 and itself (S2 refuses: its log has X).
        //     Its no-op lands at index 2 with term 3, and S5 crashes before sending it anywhere.
        #expect(cluster.elect(5))
        #expect(cluster.core(5).term == 3)
        #expect(cluster.term(of: 5, at: 2) == 3)
        cluster.dropMessages { _ in true }
        cluster.crash(5)

        // (d) S1 restarts and wins term 4 (S3 and S4 already voted in term 3, hence two tries).
        //     It replicates X to S3, so X (term 2) is on a majority: S1, S2, S3. But the term-4
        //     no-op after it reaches only S2. S4 and S5 hear nothing.
        cluster.restart(1)
        #expect(cluster.elect(1))
        #expect(cluster.core(1).term == 4)
        cluster.deliverRepeatedly { message in
            // S3 first rejects the no-op (it lacks index 2), S1 backs up and sends X alone; once
            // S3 holds X, the no-op is held back.
            let s3HoldsX = cluster.term(of: 3, at: 2) == 2
            return message.to == 1 || message.to == 2 || (message.to == 3 && !(s3HoldsX && message.carriesEntry(at: 3)))
        }
        cluster.dropMessages { _ in true }
        #expect(cluster.term(of: 3, at: 2) == 2)
        #expect(cluster.term(of: 3, at: 3) == nil)

        // X is on a majority, yet S1 must not consider it committed: it is from an older term.
        if !mutated {
            #expect(cluster.core(1).committedIndex == 1)
        }

        // (e) S1 crashes; S5 restarts and wins term 5 with S3 and S4 (its last term, 3, beats
        //     their term-2 logs). It overwrites index 2 everywhere: X disappears.
        cluster.crash(1)
        cluster.restart(5)
        #expect(cluster.elect(5))
        cluster.deliverAll()
        return cluster
    }

    @Test("X, replicated on a majority but never committed, is safely overwritten")
    func figure8() throws {
        let cluster = try Self.playFigure8(mutated: false)
        for id: NodeID in [2, 3, 4, 5] {
            #expect(cluster.term(of: id, at: 2) == 3, "node \(id) holds S5's entry at index 2")
        }
        #expect(cluster.violations.isEmpty)
    }

    @Test("committing X by counting replicas loses a committed entry")
    func figure8WithMutation() throws {
        let cluster = try Self.playFigure8(mutated: true)
        #expect(cluster.violations.contains { $0.contains("leader completeness") })
    }
}
