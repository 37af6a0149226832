import Testing

@testable import LithairConsensus

/// Per-follower replication state machine: probe → replicate → snapshot → probe.
@Suite("Progress")
struct ProgressTests {
    @Test("probe sends one message at a time; an acknowledgement switches to replicate")
    func probeToReplicate() {
        var pr = Progress(next: 6, maxInflight: 2)
        #expect(pr.state == .probe && !pr.isPaused)
        pr.sent(lastIndex: 6)
        #expect(pr.isPaused, "one probe in flight")
        let advanced = pr.acknowledge(6)
        #expect(advanced)
        pr.becomeReplicate()
        #expect(pr.next == 7 && pr.match == 6)
    }

    @Test("replicate streams optimistically up to the in-flight window")
    func replicateWindow() {
        var pr = Progress(next: 1, maxInflight: 2)
        pr.becomeReplicate()
        pr.sent(lastIndex: 3)
        pr.sent(lastIndex: 5)
        #expect(pr.next == 6)
        #expect(pr.isPaused, "window of 2 is full")
        _ = pr.acknowledge(3)
        pr.inflights.free(through: 3)
        #expect(!pr.isPaused)
    }

    @Test("probe rejections backtrack using the hint; stale rejections are ignored")
    func backtrack() {
        var pr = Progress(next: 11, maxInflight: 4)
        let staleProbe = pr.backtrack(rejected: 7, hint: 3)
        #expect(!staleProbe, "answers an older probe")
        let current = pr.backtrack(rejected: 10, hint: 4)
        #expect(current)
        #expect(pr.next == 5)
        pr.match = 4
        pr.becomeReplicate()
        let staleReplicate = pr.backtrack(rejected: 3, hint: 0)
        #expect(!staleReplicate, "at or below match: stale in replicate")
    }

    @Test("snapshot pauses replication until it completes; then probing resumes after it")
    func snapshotState() {
        var pr = Progress(next: 3, maxInflight: 4)
        pr.becomeSnapshot(index: 20)
        #expect(pr.isPaused)
        pr.becomeProbe()
        #expect(pr.state == .probe && pr.next == 21)
    }

    @Test("health follows the seed's four states")
    func health() throws {
        var core = RaftCore(config: RaftConfig(id: 1, voters: [1, 2], resyncThreshold: 10))
        core.campaign()
        core.step(RaftMessage(from: 2, to: 1, term: 2, body: .voteResponse(VoteResponse(preVote: true, granted: true))))
        core.step(
            RaftMessage(from: 2, to: 1, term: 2, body: .voteResponse(VoteResponse(preVote: false, granted: true))))
        #expect(core.role == .leader)
        var pr = try #require(core.progress[2])
        #expect(core.health(of: pr, lag: 0) == .unknown)
        pr.lastContactTick = 0
        #expect(core.health(of: pr, lag: 1) == .lagging, "probing")
        pr.becomeReplicate()
        #expect(core.health(of: pr, lag: 1) == .healthy)
        #expect(core.health(of: pr, lag: 11) == .desynced)
        pr.becomeSnapshot(index: 5)
        #expect(core.health(of: pr, lag: 1) == .desynced)
    }
}
