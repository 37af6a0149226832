import LithairConsensus

/// The node-to-node endpoints. Each accepts only the message types that belong to it, so a
/// misrouted body is caught at the edge instead of surprising the consensus core.
enum RaftWireRoute: String, CaseIterable, Sendable {
    /// AppendEntries, heartbeats, and the replies to both (and to InstallSnapshot).
    case append = "/_raft/append"
    /// Vote and pre-vote requests and their replies.
    case vote = "/_raft/vote"
    /// Leadership transfer: "start an election now".
    case timeoutNow = "/_raft/timeout-now"
    /// ReadIndex requests forwarded by followers, and the leader's answers.
    case readIndex = "/_raft/read-index"
    /// InstallSnapshot metadata (the snapshot bytes travel separately).
    case snapshot = "/_raft/snapshot"
}

/// The `"type"` of a body: one stable snake_case name per case of ``RaftMessage/Body``.
enum RaftWireType: String, CaseIterable, Sendable {
    case append
    case appendResponse = "append_response"
    case heartbeat
    case heartbeatResponse = "heartbeat_response"
    case vote
    case voteResponse = "vote_response"
    case installSnapshot = "install_snapshot"
    case timeoutNow = "timeout_now"
    case readIndex = "read_index"
    case readIndexResponse = "read_index_response"

    /// The type of `body`.
    init(_ body: RaftMessage.Body) {
        switch body {
        case .append: self = .append
        case .appendResponse: self = .appendResponse
        case .heartbeat: self = .heartbeat
        case .heartbeatResponse: self = .heartbeatResponse
        case .voteRequest: self = .vote
        case .voteResponse: self = .voteResponse
        case .installSnapshot: self = .installSnapshot
        case .timeoutNow: self = .timeoutNow
        case .readIndex: self = .readIndex
        case .readIndexResponse: self = .readIndexResponse
        }
    }

    /// The endpoint that accepts this type.
    ///
    /// The reply to an InstallSnapshot is an ``AppendResponse`` (the core has no separate
    /// snapshot reply), so it travels as `append_response` on the append route.
    var route: RaftWireRoute {
        switch self {
        case .append, .appendResponse, .heartbeat, .heartbeatResponse: .append
        case .vote, .voteResponse: .vote
        case .installSnapshot: .snapshot
        case .timeoutNow: .timeoutNow
        case .readIndex, .readIndexResponse: .readIndex
        }
    }
}
