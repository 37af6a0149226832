/// A message between two consensus cores. The node delivers it with ``RaftCore/step(_:)``.
///
/// Every message carries the sender's term: that is how stale leaders and candidates learn
/// they are out of date. Field names follow the Raft paper so the transport's JSON stays
/// recognisable (`term`, `leader_id`, `prev_log_index`, `prev_log_term`, `entries`,
/// `leader_commit`).
public struct RaftMessage: Sendable, Hashable, Codable {
    /// Sender.
    public var from: NodeID
    /// Recipient.
    public var to: NodeID
    /// Sender's term (for a pre-vote request: the term the sender would campaign for).
    public var term: UInt64
    /// What the message says.
    public var body: Body

    /// Creates a message.
    public init(from: NodeID, to: NodeID, term: UInt64, body: Body) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }

    /// The kinds of messages of the protocol.
    public enum Body: Sendable, Hashable, Codable {
        /// Leader → follower: replicate entries (AppendEntries RPC).
        case append(AppendEntries)
        /// Follower → leader: result of an `append` or `installSnapshot`.
        case appendResponse(AppendResponse)
        /// Leader → follower: "I am still the leader"; carries the commit index and ReadIndex context.
        case heartbeat(Heartbeat)
        /// Follower → leader: acknowledges a heartbeat (and its ReadIndex context).
        case heartbeatResponse(HeartbeatResponse)
        /// Candidate → voter: RequestVote RPC, or its pre-vote rehearsal.
        case voteRequest(VoteRequest)
        /// Voter → candidate: the vote (or pre-vote) decision.
        case voteResponse(VoteResponse)
        /// Leader → follower: the follower's next entries were compacted; install this snapshot.
        /// The node attaches the snapshot bytes; the follower answers with an `appendResponse`.
        case installSnapshot(InstallSnapshot)
        /// Leader → transfer target: start an election now, ignoring leases (leadership transfer).
        case timeoutNow
        /// Follower → leader: ask for a read index on behalf of a client.
        case readIndex(ReadIndexRequest)
        /// Leader → follower: the confirmed read index for a forwarded request.
        case readIndexResponse(ReadIndexResponse)
    }
}

extension RaftMessage {
    /// Structural sanity of what a peer sent: appended entries are contiguous after
    /// `prevLogIndex` with terms that never decrease and never exceed the message's term.
    public var isWellFormed: Bool {
        guard case .append(let request) = body else { return true }
        guard request.prevLogIndex < UInt64.max - UInt64(request.entries.count) else { return false }
        var expectedIndex = request.prevLogIndex + 1
        var previousTerm = request.prevLogTerm
        for entry in request.entries {
            guard entry.index == expectedIndex, entry.term >= previousTerm, entry.term <= term else { return false }
            if entry.kind == .config, (try? Membership(decoding: entry.data)) == nil { return false }
            expectedIndex += 1
            previousTerm = entry.term
        }
        return true
    }
}

/// AppendEntries RPC arguments (Raft figure 2).
public struct AppendEntries: Sendable, Hashable, Codable {
    /// The leader, so followers can redirect clients.
    public var leaderID: NodeID
    /// Index of the entry immediately preceding `entries`.
    public var prevLogIndex: UInt64
    /// Term of the entry at `prevLogIndex`.
    public var prevLogTerm: UInt64
    /// Entries to store (empty for a probe).
    public var entries: [LogEntry]
    /// Leader's commit index.
    public var leaderCommit: UInt64

    /// Creates AppendEntries arguments.
    public init(leaderID: NodeID, prevLogIndex: UInt64, prevLogTerm: UInt64, entries: [LogEntry], leaderCommit: UInt64)
    {
        self.leaderID = leaderID
        self.prevLogIndex = prevLogIndex
        self.prevLogTerm = prevLogTerm
        self.entries = entries
        self.leaderCommit = leaderCommit
    }
}

/// Reply to AppendEntries or InstallSnapshot.
public struct AppendResponse: Sendable, Hashable, Codable {
    /// Whether the follower's log now matches the leader's up to `matchIndex`.
    public var success: Bool
    /// On success: the last index known to match the leader's log.
    public var matchIndex: UInt64
    /// On rejection: the `prevLogIndex` that failed the consistency check.
    public var rejectedIndex: UInt64
    /// On rejection: a hint for fast backtracking: the largest index at or below `rejectedIndex`
    /// whose term is at most the leader's `prevLogTerm` (or the follower's last index).
    public var conflictIndex: UInt64
    /// On rejection: the follower's term at `conflictIndex`.
    public var conflictTerm: UInt64

    /// A successful reply.
    public static func accepted(matchIndex: UInt64) -> AppendResponse {
        AppendResponse(success: true, matchIndex: matchIndex, rejectedIndex: 0, conflictIndex: 0, conflictTerm: 0)
    }

    /// A rejection with a backtracking hint.
    public static func rejected(index: UInt64, conflictIndex: UInt64, conflictTerm: UInt64) -> AppendResponse {
        AppendResponse(
            success: false, matchIndex: 0, rejectedIndex: index, conflictIndex: conflictIndex,
            conflictTerm: conflictTerm)
    }

    /// Creates a reply; prefer ``accepted(matchIndex:)`` and ``rejected(index:conflictIndex:conflictTerm:)``.
    public init(success: Bool, matchIndex: UInt64, rejectedIndex: UInt64, conflictIndex: UInt64, conflictTerm: UInt64) {
        self.success = success
        self.matchIndex = matchIndex
        self.rejectedIndex = rejectedIndex
        self.conflictIndex = conflictIndex
        self.conflictTerm = conflictTerm
    }
}

/// Leader heartbeat. Separate from AppendEntries because it carries no consistency check:
/// the leader sends `min(follower's match index, commit index)` so it never commits an entry
/// the follower might not hold.
public struct Heartbeat: Sendable, Hashable, Codable {
    /// The leader.
    public var leaderID: NodeID
    /// Commit index the follower may adopt.
    public var leaderCommit: UInt64
    /// ReadIndex context being confirmed by this round, if any.
    public var context: [UInt8]?

    /// Creates a heartbeat.
    public init(leaderID: NodeID, leaderCommit: UInt64, context: [UInt8]? = nil) {
        self.leaderID = leaderID
        self.leaderCommit = leaderCommit
        self.context = context
    }
}

/// Reply to a heartbeat.
public struct HeartbeatResponse: Sendable, Hashable, Codable {
    /// The ReadIndex context of the heartbeat, echoed back.
    public var context: [UInt8]?

    /// Creates a heartbeat reply.
    public init(context: [UInt8]? = nil) {
        self.context = context
    }
}

/// RequestVote RPC arguments; with `preVote` set it is a rehearsal that changes no state.
public struct VoteRequest: Sendable, Hashable, Codable {
    /// True for a pre-vote (§9.6 of Ongaro's thesis).
    public var preVote: Bool
    /// Index of the candidate's last log entry.
    public var lastLogIndex: UInt64
    /// Term of the candidate's last log entry.
    public var lastLogTerm: UInt64
    /// Set when the election was triggered by a leadership transfer: voters then ignore their lease.
    public var leadershipTransfer: Bool

    /// Creates vote request arguments.
    public init(preVote: Bool, lastLogIndex: UInt64, lastLogTerm: UInt64, leadershipTransfer: Bool = false) {
        self.preVote = preVote
        self.lastLogIndex = lastLogIndex
        self.lastLogTerm = lastLogTerm
        self.leadershipTransfer = leadershipTransfer
    }
}

/// Reply to a vote or pre-vote request.
public struct VoteResponse: Sendable, Hashable, Codable {
    /// True if this answers a pre-vote.
    public var preVote: Bool
    /// Whether the vote is granted.
    public var granted: Bool

    /// Creates a vote reply.
    public init(preVote: Bool, granted: Bool) {
        self.preVote = preVote
        self.granted = granted
    }
}

/// InstallSnapshot RPC: only metadata. The node attaches (or streams) the snapshot bytes it
/// stored for `snapshot`, and on the receiving side installs them when the ``Ready`` says so.
public struct InstallSnapshot: Sendable, Hashable, Codable {
    /// The leader.
    public var leaderID: NodeID
    /// Which snapshot to install.
    public var snapshot: SnapshotMetadata

    /// Creates InstallSnapshot arguments.
    public init(leaderID: NodeID, snapshot: SnapshotMetadata) {
        self.leaderID = leaderID
        self.snapshot = snapshot
    }
}

/// A follower forwards a client's ReadIndex request to the leader with this.
public struct ReadIndexRequest: Sendable, Hashable, Codable {
    /// Opaque context identifying the request.
    public var context: [UInt8]

    /// Creates a forwarded read request.
    public init(context: [UInt8]) {
        self.context = context
    }
}

/// The leader's answer to a forwarded ReadIndex request.
public struct ReadIndexResponse: Sendable, Hashable, Codable {
    /// The confirmed read index.
    public var index: UInt64
    /// The request's context.
    public var context: [UInt8]

    /// Creates a read index answer.
    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
