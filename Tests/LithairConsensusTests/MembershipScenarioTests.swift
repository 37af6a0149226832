import LithairConsensus
import LithairSimulation
import Testing

/// Membership changes, one voter at a time: joining, leaving, the one-change-at-a-time rule,
/// reverting an overwritten configuration, and configurations carried by snapshots.
@Suite("Membership scenarios")
struct MembershipScenarioTests {
    /// A 3-node cluster led by node 1 with two committed commands.
    static func runningCluster() throws -> SimulatedCluster {
        let cluster = SimulatedCluster(nodeCount: 3)
        #expect(cluster.elect(1))
        try cluster.propose([1], at: 1)
        try cluster.propose([2], at: 1)
        cluster.deliverAll()
        return cluster
    }

    @Test("a joining node catches up, votes once added, and the quorum grows to 3 of 4")
    func joinGrowsTheQuorum() throws {
        let cluster = try Self.runningCluster()
        cluster.addJoiningNode(4)
        #expect(!cluster.core(4).isVoter)
        cluster.campaign(4)
        #expect(cluster.core(4).role == .follower, "a node not yet added never campaigns")

        let change = try cluster.proposeMembership(cluster.core(1).membership.adding(4, address: "n4"), at: 1)
        cluster.deliverAll()
        for id: NodeID in 1...4 {
            #expect(cluster.core(id).membership.voters == [1, 2, 3, 4], "node \(id)")
            #expect(cluster.core(id).committedIndex >= change.index, "node \(id)")
        }
        #expect(cluster.core(4).isVoter)
        #expect(cluster.node(4).appliedCommands == [[1], [2]], "the newcomer got the whole log")

        // Two of four nodes are no longer a majority.
        cluster.partition([[1, 4], [2, 3]])
        let stuck = try cluster.propose([3], at: 1)
        cluster.deliverAll()
        #expect(cluster.core(1).committedIndex < stuck.index)
        cluster.heal()
        #expect(cluster.run(upTo: 20) { $0.core(1).committedIndex >= stuck.index })
        #expect(cluster.violations.isEmpty)
    }

    @Test("a newcomer catches up as a learner, counted in no majority, and votes once it holds the log")
    func learnerCatchesUpThenVotes() throws {
        let cluster = try Self.runningCluster()
        cluster.addJoiningNode(4)
        try cluster.addVoterAfterCatchUp(4, at: 1)
        #expect(cluster.core(1).learners == [4: "n4"])
        #expect(cluster.core(1).membership.voters == [1, 2, 3], "not a voter before it caught up")
        #expect(throws: RaftError.self) { try cluster.addVoterAfterCatchUp(4, at: 1) }
        #expect(throws: RaftError.self) { try cluster.addVoterAfterCatchUp(2, at: 1) }
        #expect(throws: RaftError.self) { try cluster.addVoterAfterCatchUp(4, at: 2) }

        cluster.deliverAll()
        for id: NodeID in 1...4 {
            #expect(cluster.core(id).membership.voters == [1, 2, 3, 4], "node \(id)")
        }
        #expect(cluster.core(1).learners.isEmpty)
        #expect(cluster.core(4).isVoter)
        #expect(cluster.node(4).appliedCommands == [[1], [2]], "it held the whole log before it was added")
        #expect(cluster.violations.isEmpty)
    }

    @Test("an absent newcomer costs no availability: writes commit as before, and it is added once it answers")
    func absentLearnerCostsNothing() throws {
        let cluster = try Self.runningCluster()
        cluster.addJoiningNode(4)
        cluster.partition([[1, 2], [3], [4]])
        try cluster.addVoterAfterCatchUp(4, at: 1)
        // Added straight away, node 4 would make the quorum 3 of 4, and nodes 1 and 2 alone
        // could commit nothing.
        let write = try cluster.propose([3], at: 1)
        cluster.run(ticks: 30)
        #expect(cluster.core(1).committedIndex >= write.index, "2 of the 3 voters commit")
        #expect(cluster.core(1).membership.voters == [1, 2, 3])
        #expect(cluster.core(1).learners[4] != nil, "still catching it up")
        #expect(cluster.core(1).learnerProgress(4)?.answered == false)

        cluster.heal()
        #expect(cluster.run(upTo: 60) { $0.core(4).isVoter && $0.core(1).committedIndex >= $0.core(1).membershipIndex })
        #expect(cluster.core(1).membership.voters == [1, 2, 3, 4])
        #expect(cluster.node(4).appliedCommands == [[1], [2], [3]])
        #expect(cluster.violations.isEmpty)
    }

    @Test("learners end with the leadership that was catching them up")
    func learnersEndWithLeadership() throws {
        let cluster = try Self.runningCluster()
        cluster.addJoiningNode(4)
        cluster.partition([[1, 2, 3], [4]])
        try cluster.addVoterAfterCatchUp(4, at: 1)
        try cluster.transferLeadership(from: 1, to: 2)
        cluster.deliverAll()
        #expect(cluster.leader == 2)
        #expect(cluster.core(1).learners.isEmpty)
        #expect(cluster.core(2).learners.isEmpty)
        cluster.heal()
        cluster.run(ticks: 30)
        #expect(!cluster.core(4).isVoter, "nobody asked the new leader to add it")
        #expect(cluster.core(2).membership.voters == [1, 2, 3])
        #expect(cluster.violations.isEmpty)
    }

    @Test("a leader that removes itself leads until the change commits, then hands over at once")
    func leaderRemovesItself() throws {
        let cluster = try Self.runningCluster()
        let change = try cluster.proposeMembership(cluster.core(1).membership.removing(1), at: 1)
        cluster.deliverAll()
        #expect(cluster.core(1).role == .follower)
        #expect(!cluster.core(1).isVoter)
        let successor = try #require(cluster.leader, "TimeoutNow elected a successor without waiting for a timeout")
        #expect(successor != 1)
        #expect(cluster.core(successor).membership.voters == [2, 3])
        #expect(cluster.core(successor).committedIndex >= change.index)

        // The cluster of two goes on; the removed node neither campaigns nor counts.
        let next = try cluster.propose([9], at: successor)
        cluster.run(ticks: 40)
        #expect(cluster.core(successor).committedIndex >= next.index)
        #expect(cluster.leader == successor)
        #expect(cluster.violations.isEmpty)
    }

    @Test("a second change waits until the first commits; changes of two voters are refused")
    func oneChangeAtATime() throws {
        let cluster = try Self.runningCluster()
        let current = cluster.core(1).membership
        #expect(throws: RaftError.invalidMembershipChange("a change must add or remove exactly one voter")) {
            try cluster.proposeMembership(current.adding(4, address: "n4").adding(5, address: "n5"), at: 1)
        }
        #expect(throws: RaftError.invalidMembershipChange("voter 2 would change its address")) {
            try cluster.proposeMembership(current.adding(2, address: "elsewhere").adding(4, address: "n4"), at: 1)
        }
        #expect(throws: RaftError.notLeader(leaderID: 1)) {
            try cluster.proposeMembership(current.removing(3), at: 2)
        }

        cluster.isolate(1)
        try cluster.proposeMembership(current.removing(3), at: 1)
        #expect(cluster.core(1).membership.voters == [1, 2], "in force as soon as it is in the log")
        #expect(throws: RaftError.membershipChangePending) {
            try cluster.proposeMembership(current.removing(3).removing(2), at: 1)
        }
        #expect(cluster.violations.isEmpty)
    }

    @Test("a node whose uncommitted configuration is overwritten goes back to the previous one")
    func overwrittenConfigurationReverts() throws {
        let cluster = try Self.runningCluster()
        // Node 1 logs a change nobody else receives, then crashes.
        cluster.isolate(1)
        try cluster.proposeMembership(cluster.core(1).membership.removing(3), at: 1)
        #expect(cluster.core(1).membership.voters == [1, 2])
        cluster.deliverAll()  // lost on the cut links
        cluster.crash(1)
        cluster.heal()
        #expect(cluster.run(upTo: 60) { $0.leader != nil })
        let leader = try #require(cluster.leader)
        let write = try cluster.propose([7], at: leader)
        cluster.deliverAll()

        // Restarted from its log, node 1 holds the change again, until the leader's entries replace it.
        cluster.restart(1)
        #expect(cluster.core(1).membership.voters == [1, 2])
        #expect(cluster.run(upTo: 30) { $0.core(1).committedIndex >= write.index })
        #expect(cluster.core(1).membership.voters == [1, 2, 3])
        #expect(cluster.violations.isEmpty)
    }

    @Test("a snapshot carries the configuration to a node that needs it")
    func snapshotCarriesTheConfiguration() throws {
        let cluster = try Self.runningCluster()
        cluster.addJoiningNode(4)
        cluster.isolate(4)
        try cluster.proposeMembership(cluster.core(1).membership.adding(4, address: "n4"), at: 1)
        try cluster.propose([3], at: 1)
        cluster.deliverAll()
        for id: NodeID in 1...3 { cluster.snapshotAndCompact(id) }
        #expect(cluster.core(1).snapshotMetadata.membership.voters == [1, 2, 3, 4])
        #expect(cluster.core(1).snapshotMetadata.membership.addresses[4] == "n4")

        cluster.heal()
        #expect(cluster.run(upTo: 30) { $0.core(4).appliedIndex == $0.core(1).appliedIndex })
        #expect(cluster.core(4).membership.voters == [1, 2, 3, 4])
        #expect(cluster.core(4).isVoter)
        #expect(cluster.violations.isEmpty)
    }

    @Test("configurations encode one 'id address' line per voter and refuse malformed bytes")
    func encoding() throws {
        let membership = Membership(addresses: [2: "127.0.0.1:8081", 1: "127.0.0.1:8080"])
        #expect(String(decoding: membership.encoded(), as: UTF8.self) == "1 127.0.0.1:8080\n2 127.0.0.1:8081\n")
        #expect(try Membership(decoding: membership.encoded()) == membership)
        for bad in ["", "1 a", "0 a\n", "x a\n", "1 a\n1 b\n", "1 a b\n", "1\n", "1 a\u{7F}\n"] {
            #expect(throws: MembershipDecodingError.self, "\(bad.debugDescription)") {
                try Membership(decoding: Array(bad.utf8))
            }
        }
    }
}
