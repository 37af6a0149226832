import LithairConsensus

// Body fields, one case of `RaftMessage.Body` at a time. The field names are the contract with
// operators and scripts: keep them in step with the table on `RaftWireCodec` and the decoder.

extension RaftWireCodec {
    /// Adds the fields of `body` to `members`.
    static func encodeBody(_ body: RaftMessage.Body, into members: inout [String: JSONValue]) {
        switch body {
        case .append(let request):
            members["leader_id"] = RaftWireValue.number(request.leaderID)
            members["prev_log_index"] = RaftWireValue.number(request.prevLogIndex)
            members["prev_log_term"] = RaftWireValue.number(request.prevLogTerm)
            members["entries"] = .array(request.entries.map(encodeEntry))
            members["leader_commit"] = RaftWireValue.number(request.leaderCommit)
        case .appendResponse(let response):
            members["success"] = .bool(response.success)
            members["match_index"] = RaftWireValue.number(response.matchIndex)
            members["rejected_index"] = RaftWireValue.number(response.rejectedIndex)
            members["conflict_index"] = RaftWireValue.number(response.conflictIndex)
            members["conflict_term"] = RaftWireValue.number(response.conflictTerm)
        case .heartbeat(let request):
            members["leader_id"] = RaftWireValue.number(request.leaderID)
            members["leader_commit"] = RaftWireValue.number(request.leaderCommit)
            members["context"] = request.context.map(RaftWireValue.bytes)
        case .heartbeatResponse(let response):
            members["context"] = response.context.map(RaftWireValue.bytes)
        case .voteRequest(let request):
            members["pre_vote"] = .bool(request.preVote)
            members["last_log_index"] = RaftWireValue.number(request.lastLogIndex)
            members["last_log_term"] = RaftWireValue.number(request.lastLogTerm)
            members["leadership_transfer"] = .bool(request.leadershipTransfer)
        case .voteResponse(let response):
            members["pre_vote"] = .bool(response.preVote)
            members["granted"] = .bool(response.granted)
        case .installSnapshot(let request):
            members["leader_id"] = RaftWireValue.number(request.leaderID)
            members["snapshot"] = encodeSnapshotMetadataValue(request.snapshot)
        case .timeoutNow:
            break
        case .readIndex(let request):
            members["context"] = RaftWireValue.bytes(request.context)
        case .readIndexResponse(let response):
            members["index"] = RaftWireValue.number(response.index)
            members["context"] = RaftWireValue.bytes(response.context)
        }
    }

    /// `{"index":N,"term":N,"kind":"normal","data":"<base64>"}`.
    static func encodeEntry(_ entry: LithairConsensus.LogEntry) -> JSONValue {
        .object([
            "index": RaftWireValue.number(entry.index),
            "term": RaftWireValue.number(entry.term),
            "kind": .string(entry.kind.rawValue),
            "data": RaftWireValue.bytes(entry.data),
        ])
    }
}
