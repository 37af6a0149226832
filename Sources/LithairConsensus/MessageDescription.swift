// Short, human-readable renderings used in simulator traces and test failure messages.

extension RaftMessage: CustomStringConvertible {
    /// A one-line summary such as `2→3 t5 append prev=7/4 n=2 commit=6`.
    public var description: String {
        "\(from)→\(to) t\(term) \(body)"
    }
}

extension RaftMessage.Body: CustomStringConvertible {
    /// A one-line summary of the message body.
    public var description: String {
        switch self {
        case .append(let m):
            let last = m.entries.last.map { " last=\($0.index)/\($0.term)" } ?? ""
            return "append prev=\(m.prevLogIndex)/\(m.prevLogTerm) n=\(m.entries.count)\(last) commit=\(m.leaderCommit)"
        case .appendResponse(let r):
            return r.success
                ? "appendResponse ok match=\(r.matchIndex)"
                : "appendResponse reject \(r.rejectedIndex) hint=\(r.conflictIndex)/\(r.conflictTerm)"
        case .heartbeat(let h):
            return "heartbeat commit=\(h.leaderCommit)\(h.context.map { " ctx=\($0)" } ?? "")"
        case .heartbeatResponse(let h):
            return "heartbeatResponse\(h.context.map { " ctx=\($0)" } ?? "")"
        case .voteRequest(let v):
            return "\(v.preVote ? "preVote" : "vote")Request last=\(v.lastLogIndex)/\(v.lastLogTerm)"
                + (v.leadershipTransfer ? " transfer" : "")
        case .voteResponse(let v):
            return "\(v.preVote ? "preVote" : "vote")Response \(v.granted ? "granted" : "rejected")"
        case .installSnapshot(let s):
            return "installSnapshot \(s.snapshot.index)/\(s.snapshot.term)"
        case .timeoutNow:
            return "timeoutNow"
        case .readIndex(let r):
            return "readIndex ctx=\(r.context)"
        case .readIndexResponse(let r):
            return "readIndexResponse index=\(r.index) ctx=\(r.context)"
        }
    }
}
