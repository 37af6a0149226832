extension RaftCore {
    /// Why an election starts.
    enum CampaignKind {
        /// Rehearsal without bumping the term (pre-vote).
        case preElection
        /// A real election.
        case election
        /// A real election ordered by the leader (TimeoutNow): voters ignore their lease.
        case transfer
    }

    /// The term a new election runs for. Term 1 is reserved for a bootstrap leader
    /// (``RaftConfig/isInitialLeader``), so an elected leader can never share its term.
    var nextElectionTerm: UInt64 { max(term + 1, 2) }

    mutating func startCampaign(_ kind: CampaignKind) {
        let requestTerm: UInt64
        if kind == .preElection {
            becomePreCandidate()
            requestTerm = nextElectionTerm
        } else {
            becomeCandidate()
            requestTerm = term
        }
        if recordVote(from: config.id, granted: true) { return }
        let request = VoteRequest(
            preVote: kind == .preElection, lastLogIndex: log.lastIndex, lastLogTerm: log.lastTerm,
            leadershipTransfer: kind == .transfer)
        for peer in peers {
            send(to: peer, term: requestTerm, .voteRequest(request))
        }
    }

    /// Counts a (pre-)vote and moves on if the election is decided. Returns true if it was won.
    @discardableResult
    mutating func recordVote(from voter: NodeID, granted: Bool) -> Bool {
        // Only the voters of the configuration in force count (a node may hold an older one).
        if votes[voter] == nil, membership.contains(voter) { votes[voter] = granted }
        let granted = votes.values.filter { $0 }.count
        let rejected = votes.count - granted
        if granted >= membership.quorum {
            if role == .preCandidate {
                startCampaign(.election)
            } else {
                becomeLeader()
            }
            return true
        }
        if rejected >= membership.quorum {
            becomeFollower(term: term, leader: nil)
        }
        return false
    }

    /// Decides a (pre-)vote request of the current term (or a pre-vote for a later term).
    mutating func handleVoteRequest(_ request: VoteRequest, from candidate: NodeID, term requestTerm: UInt64) {
        if config.staticLeadership { return }
        // A real vote is granted once per term; a pre-vote to anyone who asks for a later term.
        let canVote =
            vote == candidate || (vote == nil && leaderID == nil) || (request.preVote && requestTerm > term)
        let logIsUpToDate =
            config.mutations.contains(.voteWithoutLogCheck)
            || log.isUpToDate(lastIndex: request.lastLogIndex, lastTerm: request.lastLogTerm)
        if canVote && logIsUpToDate {
            // The answer carries the requested term so the candidate counts it for that election.
            send(to: candidate, term: requestTerm, .voteResponse(VoteResponse(preVote: request.preVote, granted: true)))
            if !request.preVote {
                vote = candidate
                resetElectionTimer()
            }
        } else {
            send(to: candidate, .voteResponse(VoteResponse(preVote: request.preVote, granted: false)))
        }
    }

    // MARK: Role changes

    /// Forgets everything tied to the previous term or role.
    private mutating func reset(term newTerm: UInt64) {
        if newTerm != term {
            term = newTerm
            vote = nil
        }
        leaderID = nil
        resetElectionTimer()
        heartbeatElapsed = 0
        leadTransferee = nil
        votes = [:]
        progress = [:]
        learners = [:]
        readOnly.removeAll()
        readsAwaitingTermCommit = []
    }

    mutating func becomeFollower(term newTerm: UInt64, leader: NodeID?) {
        reset(term: newTerm)
        role = .follower
        leaderID = leader
    }

    mutating func becomePreCandidate() {
        // Keeps term and vote: nothing changes unless the rehearsal succeeds.
        votes = [:]
        leaderID = nil
        role = .preCandidate
    }

    mutating func becomeCandidate() {
        reset(term: nextElectionTerm)
        vote = config.id
        role = .candidate
    }

    mutating func becomeLeader() {
        reset(term: term)
        role = .leader
        leaderID = config.id
        for peer in peers {
            progress[peer] = Progress(next: log.lastIndex + 1, maxInflight: config.maxInflightMessages)
        }
        // An entry of our own term lets us commit everything before it (Raft §5.4.2) and
        // proves to ReadIndex that our commit index is current.
        appendAndReplicate([LogEntry(index: log.lastIndex + 1, term: term, kind: .noop)])
    }
}
