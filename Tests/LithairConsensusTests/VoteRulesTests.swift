import LithairConsensus
import Testing

/// Vote granting rules, exercised on a bare core with hand-written messages.
@Suite("Vote rules")
struct VoteRulesTests {
    /// A follower of a 3-node cluster whose log holds `terms`, at term `term`.
    static func follower(terms: [UInt64], term: UInt64, preVote: Bool = true) -> RaftCore {
        let entries = terms.enumerated().map { LogEntry(index: UInt64($0.offset + 1), term: $0.element) }
        let config = RaftConfig(id: 1, voters: [1, 2, 3], preVote: preVote)
        return RaftCore(config: config, restoring: PersistentState(hardState: HardState(term: term), entries: entries))
    }

    static func request(from: NodeID, term: UInt64, lastIndex: UInt64, lastTerm: UInt64, pre: Bool = false)
        -> RaftMessage
    {
        RaftMessage(
            from: from, to: 1, term: term,
            body: .voteRequest(VoteRequest(preVote: pre, lastLogIndex: lastIndex, lastLogTerm: lastTerm)))
    }

    static func answers(_ core: inout RaftCore) -> [VoteResponse] {
        core.ready().messages.compactMap {
            if case .voteResponse(let response) = $0.body { return response }
            return nil
        }
    }

    @Test("a vote goes to a candidate whose log is at least as up to date, once per term")
    func grantOncePerTerm() {
        var core = Self.follower(terms: [1, 2], term: 2)
        core.step(Self.request(from: 2, term: 3, lastIndex: 2, lastTerm: 2))
        let first = Self.answers(&core)
        #expect(first == [VoteResponse(preVote: false, granted: true)])
        #expect(core.hardState == HardState(term: 3, vote: 2, commit: 0))
        core.step(Self.request(from: 3, term: 3, lastIndex: 5, lastTerm: 2))
        let second = Self.answers(&core)
        #expect(second == [VoteResponse(preVote: false, granted: false)], "already voted in term 3")
        core.step(Self.request(from: 2, term: 3, lastIndex: 2, lastTerm: 2))
        let repeated = Self.answers(&core)
        #expect(repeated == [VoteResponse(preVote: false, granted: true)], "repeat to the same candidate")
    }

    @Test("a candidate with a less up-to-date log is refused, but its term is adopted")
    func refuseStaleLog() {
        var core = Self.follower(terms: [1, 2], term: 2)
        core.step(Self.request(from: 2, term: 3, lastIndex: 5, lastTerm: 1))
        let answers = Self.answers(&core)
        #expect(answers == [VoteResponse(preVote: false, granted: false)])
        #expect(core.term == 3 && core.vote == nil)
    }

    @Test("a pre-vote is answered without changing term or vote")
    func preVoteChangesNothing() {
        var core = Self.follower(terms: [1], term: 2)
        core.step(Self.request(from: 2, term: 3, lastIndex: 1, lastTerm: 1, pre: true))
        let ready = core.ready()
        #expect(ready.hardState == nil)
        #expect(ready.messages.first?.term == 3, "the answer carries the term asked for")
        #expect(core.term == 2 && core.vote == nil)
    }

    @Test("a stale-term vote request is refused")
    func staleTerm() {
        var core = Self.follower(terms: [1], term: 5, preVote: false)
        core.step(Self.request(from: 2, term: 4, lastIndex: 9, lastTerm: 4))
        let answers = Self.answers(&core)
        #expect(answers.isEmpty)
        #expect(core.term == 5)
    }

    @Test("elections never use term 1, reserved for a bootstrap leader")
    func termOneIsReserved() {
        var core = RaftCore(config: RaftConfig(id: 1, voters: [1, 2, 3], preVote: false))
        core.campaign()
        #expect(core.term == 2)
    }

    @Test("persist before send: the vote is in the same Ready as the response that grants it")
    func voteIsPersistedWithItsResponse() {
        var core = Self.follower(terms: [], term: 0)
        core.step(Self.request(from: 3, term: 2, lastIndex: 0, lastTerm: 0))
        let ready = core.ready()
        #expect(ready.hardState?.vote == 3)
        #expect(ready.mustSync)
        #expect(ready.messages.count == 1)
    }
}

/// A buggy or hostile peer must not be able to crash a node.
@Suite("Malformed input")
struct MalformedInputTests {
    @Test("non-contiguous or overflowing appends are ignored")
    func malformedAppendsAreIgnored() {
        var core = RaftCore(config: RaftConfig(id: 1, voters: [1, 2, 3]))
        let gap = AppendEntries(
            leaderID: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [LogEntry(index: 5, term: 2)], leaderCommit: 5)
        let overflow = AppendEntries(
            leaderID: 2, prevLogIndex: .max, prevLogTerm: 2, entries: [LogEntry(index: 0, term: 2)], leaderCommit: 0)
        let futureTerm = AppendEntries(
            leaderID: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [LogEntry(index: 1, term: 9)], leaderCommit: 0)
        for request in [gap, overflow, futureTerm] {
            core.step(RaftMessage(from: 2, to: 1, term: 2, body: .append(request)))
        }
        #expect(core.lastIndex == 0)
        #expect(core.term == 0, "ignored entirely, term included")
    }

    @Test("a heartbeat cannot commit beyond the follower's log")
    func heartbeatCommitIsClamped() {
        var core = RaftCore(config: RaftConfig(id: 1, voters: [1, 2, 3]))
        core.step(RaftMessage(from: 2, to: 1, term: 2, body: .heartbeat(Heartbeat(leaderID: 2, leaderCommit: 99))))
        #expect(core.committedIndex == 0)
    }

    @Test("a leader ignores acknowledgements of entries it never had")
    func impossibleAcknowledgementIsIgnored() {
        var core = RaftCore(config: RaftConfig(id: 1, voters: [1, 2, 3], isInitialLeader: true))
        core.step(RaftMessage(from: 2, to: 1, term: 1, body: .appendResponse(.accepted(matchIndex: 1_000))))
        core.step(RaftMessage(from: 3, to: 1, term: 1, body: .appendResponse(.accepted(matchIndex: 1_000))))
        #expect(core.committedIndex == 0)
        core.step(
            RaftMessage(
                from: 2, to: 1, term: 1,
                body: .appendResponse(.rejected(index: 1, conflictIndex: .max, conflictTerm: 0))))
        #expect(core.role == .leader)
    }
}
