import Testing

@testable import LithairCore

@Suite("Proposal hold (leader group commit timed to replication)")
struct ProposalHoldTests {
    private let start = ContinuousClock.now

    @Test("writes wait while no peer can take an append, until the limit")
    func holdsUntilLimit() {
        var hold = ProposalHold(limit: .milliseconds(5))
        #expect(hold.deadline(now: start, freePeers: 0, peers: 2, needed: 1) == start + .milliseconds(5))
        // The deadline counts from when the writes were first held, not from each look.
        let later = start + .milliseconds(3)
        #expect(hold.deadline(now: later, freePeers: 0, peers: 2, needed: 1) == start + .milliseconds(5))
        #expect(hold.deadline(now: start + .milliseconds(5), freePeers: 0, peers: 2, needed: 1) == nil)
    }

    @Test("every peer free: the writes go at once")
    func allFreeGoesNow() {
        var hold = ProposalHold(limit: .milliseconds(5))
        #expect(hold.deadline(now: start, freePeers: 2, peers: 2, needed: 1) == nil)
        #expect(hold.deadline(now: start, freePeers: 4, peers: 4, needed: 2) == nil)
    }

    @Test("enough peers for a commit: a short grace for the others, never past the limit")
    func graceOnceEnoughAreFree() {
        var hold = ProposalHold(limit: .milliseconds(5), grace: .microseconds(250))
        #expect(hold.deadline(now: start, freePeers: 0, peers: 2, needed: 1) == start + .milliseconds(5))
        let freed = start + .milliseconds(1)
        #expect(hold.deadline(now: freed, freePeers: 1, peers: 2, needed: 1) == freed + .microseconds(250))
        #expect(hold.deadline(now: freed + .microseconds(250), freePeers: 1, peers: 2, needed: 1) == nil)

        var nearLimit = ProposalHold(limit: .milliseconds(5), grace: .microseconds(250))
        _ = nearLimit.deadline(now: start, freePeers: 0, peers: 2, needed: 1)
        let late = start + .microseconds(4_900)
        #expect(nearLimit.deadline(now: late, freePeers: 1, peers: 2, needed: 1) == start + .milliseconds(5))
    }

    @Test("five voters: one free peer is not enough for a commit, two start the grace")
    func fiveVoters() {
        var hold = ProposalHold(limit: .milliseconds(5), grace: .microseconds(250))
        #expect(hold.deadline(now: start, freePeers: 1, peers: 4, needed: 2) == start + .milliseconds(5))
        let two = start + .microseconds(600)
        #expect(hold.deadline(now: two, freePeers: 2, peers: 4, needed: 2) == two + .microseconds(250))
        // A peer busy again (another message left) ends the grace until enough are free again.
        let busy = two + .microseconds(100)
        #expect(hold.deadline(now: busy, freePeers: 1, peers: 4, needed: 2) == start + .milliseconds(5))
    }

    @Test("once the writes are proposed, the next ones get a full hold of their own")
    func releasedStartsOver() {
        var hold = ProposalHold(limit: .milliseconds(5))
        _ = hold.deadline(now: start, freePeers: 0, peers: 2, needed: 1)
        hold.released()
        let next = start + .milliseconds(4)
        #expect(hold.deadline(now: next, freePeers: 0, peers: 2, needed: 1) == next + .milliseconds(5))
    }

    @Test("a zero flush interval holds nothing")
    func zeroLimit() {
        var hold = ProposalHold(limit: .zero)
        #expect(hold.deadline(now: start, freePeers: 0, peers: 2, needed: 1) == nil)
    }
}
