/// When a Raft leader proposes the client writes it has queued: group commit timed to
/// replication.
///
/// A write proposed while every peer connection is busy with a round trip cannot leave before
/// that round trip ends, so proposing it early gains nothing but a turn and a log sync of its
/// own. Held back instead, the writes are proposed in the turn that handles that answer: their
/// append leaves at once on the connection just freed, in larger batches (fewer turns, syncs
/// and appends per write).
///
/// Writes wait while fewer peers than a commit needs could take an append at once, and no
/// longer than `limit` while writes keep arriving (a frozen peer's request can stay in flight
/// for seconds): the first write to arrive after it wakes the loop thread, which proposes them
/// all. Writes that stop arriving during a hold wait for the next peer request to end (its
/// turn takes them) or the loop thread's next tick; they could not commit before a peer
/// answers anyway. (Also waiting a moment for the remaining peers, so that one append reaches
/// them all together, halved the fsyncs at 16 connections but cost 3 % of the writes at 64 on
/// these machines.)
struct ProposalHold {
    /// Longest writes are held (the flush interval); zero holds nothing.
    let limit: Duration
    private var heldSince: ContinuousClock.Instant?

    init(limit: Duration) {
        self.limit = limit
    }

    /// Until when the queued writes wait, or `nil` if they are proposed now.
    ///
    /// - Parameters:
    ///   - freePeers: peers whose connection has no request in flight.
    ///   - needed: free peers a commit needs (the quorum without the leader).
    mutating func deadline(now: ContinuousClock.Instant, freePeers: Int, needed: Int) -> ContinuousClock.Instant? {
        guard limit > .zero, freePeers < needed else { return nil }
        let since = heldSince ?? now
        heldSince = since
        let deadline = since + limit
        return now < deadline ? deadline : nil
    }

    /// The queued writes were proposed: the next ones start a hold of their own.
    mutating func released() {
        heldSince = nil
    }
}
