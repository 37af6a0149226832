import LithairConsensus
import LithairSimulation
import Testing

/// Log replication scenarios: conflicting tails, leadership transfer, snapshots.
@Suite("Replication scenarios")
struct ReplicationScenarioTests {
    @Test("a follower's conflicting uncommitted tail is truncated and replaced by the leader's entries")
    func conflictingTailIsReplaced() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()

        // S1 stores two entries nobody else gets, then crashes: its log is [noop, A, B].
        cluster.isolate(1)
        try cluster.propose([0x0A], at: 1)
        try cluster.propose([0x0B], at: 1)
        cluster.deliverAll()  // lost on the cut links
        cluster.crash(1)
        cluster.heal()
        #expect(cluster.node(1).storage.lastIndex == 3)

        // S2 or S3 leads term 3 and commits C at index 3: [noop, noop(3), C].
        #expect(cluster.run(upTo: 60) { $0.leader != nil })
        let leader = try #require(cluster.leader)
        let c = try cluster.propose([0x0C], at: leader)
        cluster.deliverAll()
        #expect(c.index == 3)

        // S1 restarts. The leader's first AppendEntries conflicts with S1's tail at index 2:
        // S1 deletes everything from there and takes the leader's entries instead.
        cluster.restart(1)
        #expect(cluster.run(upTo: 30) { $0.core(1).committedIndex == c.index })
        #expect(cluster.node(1).storage.entries == cluster.node(leader).storage.entries)
        #expect(cluster.node(1).appliedCommands == [[0x0C]])
        #expect(cluster.violations.isEmpty)
    }

    @Test("leadership transfer to a lagging follower catches it up first, then hands over")
    func transferToLaggingFollower() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()

        // S3 misses five entries.
        cluster.isolate(3)
        for byte: UInt8 in 1...5 { try cluster.propose([byte], at: 1) }
        cluster.deliverAll()
        cluster.heal()
        let last = cluster.core(1).lastIndex

        // Transfer to S3: S1 refuses proposals meanwhile, brings S3 up to date, then sends TimeoutNow.
        try cluster.transferLeadership(from: 1, to: 3)
        #expect(throws: RaftError.transferInProgress) { try cluster.propose([0x09], at: 1) }
        #expect(cluster.run(upTo: 10) { $0.leader == 3 })
        #expect(cluster.core(3).term == 3)
        #expect(cluster.core(3).lastIndex == last + 1, "S3 had every entry, then appended its no-op")
        #expect(cluster.core(1).role == .follower)
        #expect(cluster.violations.isEmpty)
    }

    @Test("a follower behind a compacted log receives a snapshot, then entries again")
    func snapshotToFollowerBehindCompaction() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()

        // S3 is down while ten entries commit; then S1 snapshots and drops its log.
        cluster.crash(3)
        for byte: UInt8 in 1...10 { try cluster.propose([byte], at: 1) }
        cluster.deliverAll()
        cluster.snapshotAndCompact(1)
        let snapshot = cluster.core(1).snapshotMetadata
        #expect(snapshot.index == 11)
        #expect(cluster.core(1).term(at: 5) == nil, "compacted")

        // S3 comes back. Its next entry no longer exists on S1, so S1 switches to sending a
        // snapshot, and reports S3 as desynced until it is installed.
        cluster.restart(3)
        var switched = false
        for _ in 0..<20 where !switched {
            cluster.tickAll()
            cluster.deliverRepeatedly { !$0.isSnapshot }  // hold the snapshot back to observe the state
            switched = cluster.core(1).status().followers.first { $0.id == 3 }?.state == .snapshot
        }
        #expect(switched)
        #expect(cluster.core(1).status().followers.first { $0.id == 3 }?.health == .desynced)

        // Now let it through: S3 installs the snapshot, then catches up with later entries.
        #expect(cluster.run(upTo: 30) { $0.node(3).storage.snapshot == snapshot })
        #expect(cluster.node(3).machine == cluster.node(1).storage.snapshotState)
        let later = try cluster.propose([0x0B], at: 1)
        cluster.run(ticks: 3)
        #expect(cluster.core(3).committedIndex == later.index)
        #expect(cluster.core(1).status().followers.first { $0.id == 3 }?.health == .healthy)
        #expect(cluster.violations.isEmpty)
    }

    @Test("a follower with an append in flight hears of a commit with its next append, not as a notice of its own")
    func commitNoticeWaitsForABusyFollower() throws {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        cluster.deliverAll()

        let position = try cluster.propose([0x0C], at: 1)
        // S2 stores it and answers: S1 commits. S3's append is still on its way.
        cluster.deliver { $0.to == 2 && $0.carriesEntry(at: position.index) }
        cluster.deliver { $0.from == 2 && $0.to == 1 }
        #expect(cluster.core(1).committedIndex >= position.index)
        let toS3 = cluster.inFlight.filter { $0.message.to == 3 }.map(\.message)
        #expect(toS3.count == 1 && toS3[0].carriesEntry(at: position.index), "no separate commit notice for S3")

        // S3 answers; then it is told the commit, and applies the entry.
        cluster.deliver { $0.to == 3 }
        cluster.deliver { $0.from == 3 && $0.to == 1 }
        cluster.deliver { $0.to == 3 }
        #expect(cluster.core(3).committedIndex >= position.index)
    }
}
