import Testing

@testable import LithairCore

@Suite("Proposal hold (leader group commit timed to replication)")
struct ProposalHoldTests {
    private let start = ContinuousClock.now

    @Test("writes wait while fewer peers than a commit needs can take an append, until the limit")
    func holdsUntilLimit() {
        var hold = ProposalHold(limit: .milliseconds(5))
        #expect(hold.deadline(now: start, freePeers: 0, needed: 1) == start + .milliseconds(5))
        // The deadline counts from when the writes were first held, not from each look.
        let later = start + .milliseconds(3)
        #expect(hold.deadline(now: later, freePeers: 0, needed: 1) == start + .milliseconds(5))
        #expect(hold.deadline(now: start + .milliseconds(5), freePeers: 0, needed: 1) == nil)
    }

    @Test("enough free peers for a commit: the writes go at once")
    func enoughFreeGoesNow() {
        var hold = ProposalHold(limit: .milliseconds(5))
        #expect(hold.deadline(now: start, freePeers: 1, needed: 1) == nil)
        #expect(hold.deadline(now: start, freePeers: 2, needed: 1) == nil)
    }

    @Test("five voters: one free peer is not enough, two are")
    func fiveVoters() {
        var hold = ProposalHold(limit: .milliseconds(5))
        #expect(hold.deadline(now: start, freePeers: 1, needed: 2) == start + .milliseconds(5))
        #expect(hold.deadline(now: start + .microseconds(600), freePeers: 2, needed: 2) == nil)
    }

    @Test("once the writes are proposed, the next ones get a full hold of their own")
    func releasedStartsOver() {
        var hold = ProposalHold(limit: .milliseconds(5))
        _ = hold.deadline(now: start, freePeers: 0, needed: 1)
        hold.released()
        let next = start + .milliseconds(4)
        #expect(hold.deadline(now: next, freePeers: 0, needed: 1) == next + .milliseconds(5))
    }

    @Test("a zero flush interval holds nothing")
    func zeroLimit() {
        var hold = ProposalHold(limit: .zero)
        #expect(hold.deadline(now: start, freePeers: 0, needed: 1) == nil)
    }
}
