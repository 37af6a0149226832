import LithairSimulation
import Testing

@testable import LithairConsensus

/// A leader that syncs its log after the turn (``RaftCore/advance(_:entriesDurable:)`` with
/// `entriesDurable: false`, as a Lithair leader does) counts itself toward a commit only once
/// ``RaftCore/persisted(through:)`` reports the sync.
@Suite("Deferred leader syncs")
struct DeferredLeaderSyncTests {
    @Test("with one follower down, an entry commits only once the leader's own sync is reported")
    func leaderCountsItselfOnlyAfterItsSync() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()
        cluster.crash(3)
        cluster.deferLeaderSyncs = true

        let position = try cluster.propose([0x0A], at: 1)
        cluster.deliverAll()
        #expect(cluster.core(2).lastIndex >= position.index, "the follower stored it")
        #expect(cluster.core(1).committedIndex < position.index, "the leader's copy is not synced yet")
        #expect(cluster.core(1).leaderSyncNeed == .soon, "S3's append is still thought to be on its way")
        cluster.reportUnreachable(3, at: 1)
        #expect(cluster.core(1).leaderSyncNeed == .now, "only the leader's sync can commit it now")

        cluster.completeSyncs(chance: 1)
        cluster.deliverAll()
        #expect(cluster.core(1).committedIndex >= position.index)
        #expect(cluster.acknowledged.contains(position))
    }

    @Test("both followers' acknowledgements commit an entry the leader has not synced")
    func followersAloneAreAMajority() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()
        cluster.deferLeaderSyncs = true

        let position = try cluster.propose([0x0B], at: 1)
        #expect(cluster.core(1).leaderSyncNeed == .none, "both followers have an append carrying it on its way")
        cluster.deliverAll()
        #expect(cluster.node(1).core?.committedIndex ?? 0 >= position.index)
        #expect(cluster.core(1).leaderSyncNeed == .none, "committed")
    }

    @Test("a leader crashing before its sync loses the unsynced tail, and the cluster keeps what it acknowledged")
    func crashBeforeSyncLosesOnlyUnacknowledgedEntries() throws {
        let cluster = SimulatedCluster(nodeCount: 3, seed: 7)
        #expect(cluster.elect(1))
        cluster.deliverAll()
        let acknowledged = try cluster.propose([0x01], at: 1)
        cluster.deliverAll()
        #expect(cluster.acknowledged.contains(acknowledged))

        cluster.deferLeaderSyncs = true
        cluster.isolate(1)
        for byte: UInt8 in 2...4 { try cluster.propose([byte], at: 1) }
        cluster.deliverAll()
        cluster.crash(1)
        #expect(cluster.node(1).storage.lastIndex >= acknowledged.index, "what was synced survives")
        cluster.heal()
        cluster.restart(1)
        let elected = cluster.run(upTo: 300) { $0.leader != nil && $0.leader != 1 }
        #expect(elected)
        if let leader = cluster.leader { cluster.checkAcknowledgedEntriesSurvive(on: leader) }
        #expect(cluster.violations.isEmpty)
    }
}
