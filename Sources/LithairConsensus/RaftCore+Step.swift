extension RaftCore {
    /// Delivers a message from another node. Messages addressed to another node, from id 0, or
    /// malformed (see ``RaftMessage/isWellFormed``) are ignored: a bad peer must not be able to
    /// crash this one.
    ///
    /// Senders outside this node's configuration are heard: a node whose log still holds an
    /// older configuration must follow (and vote for) a member added since. Only the voters of
    /// the configuration in force are counted in elections and commits.
    public mutating func step(_ message: RaftMessage) {
        guard message.to == config.id, message.from != config.id, message.from != 0, message.isWellFormed
        else { return }
        if message.term > term {
            guard stepHigherTerm(message) else { return }
        } else if message.term < term {
            stepLowerTerm(message)
            return
        }
        stepCurrentTerm(message)
    }

    /// Term rules for a message from the future (Raft §5.1). Returns false to drop the message.
    private mutating func stepHigherTerm(_ message: RaftMessage) -> Bool {
        switch message.body {
        case .voteRequest(let request):
            // Leader stickiness: a node that heard from a leader within the election timeout
            // refuses to help depose it, unless the leader itself asked (transfer). Pre-votes
            // always honour it; real votes only under check-quorum (which gives leaders the
            // matching guarantee of stepping down when they lose their majority).
            let inLease = leaderID != nil && electionElapsed < config.electionTick
            if inLease && !request.leadershipTransfer && (request.preVote || config.checkQuorum) {
                return false
            }
            // A pre-vote never changes anyone's term.
            if !request.preVote {
                becomeFollower(term: message.term, leader: nil)
            }
        case .voteResponse(let response) where response.preVote && response.granted:
            // Granted pre-votes carry the term we would campaign for; not a newer term.
            break
        case .append, .heartbeat, .installSnapshot:
            becomeFollower(term: message.term, leader: message.from)
        default:
            becomeFollower(term: message.term, leader: nil)
        }
        return true
    }

    /// A message from a stale term: mostly ignored, but answered when that helps the sender
    /// catch up with the current term.
    private mutating func stepLowerTerm(_ message: RaftMessage) {
        switch message.body {
        case .append, .heartbeat:
            // A deposed leader (for example one that was partitioned) learns our term from the
            // answer and steps down. Without it, a leader cut off by check-quorum or pre-vote
            // could keep a node that rejoins at a higher term out of the cluster.
            send(to: message.from, .heartbeatResponse(HeartbeatResponse()))
        case .voteRequest(let request) where request.preVote:
            // Tell a stale pre-candidate our term so it can rejoin as a follower.
            send(to: message.from, .voteResponse(VoteResponse(preVote: true, granted: false)))
        default:
            break
        }
    }

    private mutating func stepCurrentTerm(_ message: RaftMessage) {
        switch message.body {
        case .voteRequest(let request):
            handleVoteRequest(request, from: message.from, term: message.term)
            return
        default:
            break
        }
        switch role {
        case .leader: stepLeader(message)
        case .candidate, .preCandidate: stepCandidate(message)
        case .follower: stepFollower(message)
        }
    }

    private mutating func stepLeader(_ message: RaftMessage) {
        switch message.body {
        case .appendResponse(let response):
            handleAppendResponse(response, from: message.from)
            if learners[message.from] != nil { promoteCaughtUpLearner() }
        case .heartbeatResponse(let response):
            handleHeartbeatResponse(response, from: message.from)
        case .readIndex(let request):
            handleReadIndex(context: request.context, requester: message.from)
        default:
            break
        }
    }

    private mutating func stepCandidate(_ message: RaftMessage) {
        switch message.body {
        case .append, .heartbeat, .installSnapshot:
            // Someone won this term: follow it.
            becomeFollower(term: message.term, leader: message.from)
            stepFollower(message)
        case .voteResponse(let response) where response.preVote == (role == .preCandidate):
            recordVote(from: message.from, granted: response.granted)
        default:
            break
        }
    }

    private mutating func stepFollower(_ message: RaftMessage) {
        switch message.body {
        case .append(let request):
            heardFromLeader(message.from)
            handleAppend(request, from: message.from)
        case .heartbeat(let request):
            heardFromLeader(message.from)
            handleHeartbeat(request, from: message.from)
        case .installSnapshot(let request):
            heardFromLeader(message.from)
            handleInstallSnapshot(request, from: message.from)
        case .timeoutNow:
            guard !config.staticLeadership, isVoter else { return }
            startCampaign(.transfer)
        case .readIndexResponse(let response):
            readStates.append(ReadState(index: response.index, context: response.context))
        default:
            break
        }
    }

    private mutating func heardFromLeader(_ leader: NodeID) {
        electionElapsed = 0
        leaderID = leader
    }
}
