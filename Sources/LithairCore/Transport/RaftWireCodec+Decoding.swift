import LithairConsensus

// Body fields, one message type at a time; the mirror of RaftWireCodec+Encoding.swift.

extension RaftWireCodec {
    /// The body of a message of `type` whose common fields are `header`.
    static func decodeBody(
        _ type: RaftWireType, from object: RaftWireObject, header: RaftWireHeader
    ) throws(RaftWireError) -> RaftMessage.Body {
        switch type {
        case .append:
            return .append(try decodeAppend(object, header: header))
        case .appendResponse:
            return .appendResponse(try decodeAppendResponse(object))
        case .heartbeat:
            return .heartbeat(
                Heartbeat(
                    leaderID: try leaderID(object, header: header), leaderCommit: try object.uint64("leader_commit"),
                    context: try object.optionalBytes("context")))
        case .heartbeatResponse:
            return .heartbeatResponse(HeartbeatResponse(context: try object.optionalBytes("context")))
        case .vote:
            return .voteRequest(
                VoteRequest(
                    preVote: try object.bool("pre_vote"), lastLogIndex: try object.uint64("last_log_index"),
                    lastLogTerm: try object.uint64("last_log_term"),
                    leadershipTransfer: try object.bool("leadership_transfer")))
        case .voteResponse:
            return .voteResponse(
                VoteResponse(preVote: try object.bool("pre_vote"), granted: try object.bool("granted")))
        case .installSnapshot:
            return .installSnapshot(try decodeInstallSnapshot(object, header: header))
        case .timeoutNow:
            return .timeoutNow
        case .readIndex:
            return .readIndex(ReadIndexRequest(context: try object.bytes("context")))
        case .readIndexResponse:
            return .readIndexResponse(
                ReadIndexResponse(index: try object.uint64("index"), context: try object.bytes("context")))
        }
    }

    private static func decodeAppendResponse(_ object: RaftWireObject) throws(RaftWireError) -> AppendResponse {
        let success = try object.bool("success")
        let matchIndex = try object.uint64("match_index")
        let rejectedIndex = try object.uint64("rejected_index")
        let conflictIndex = try object.uint64("conflict_index")
        let conflictTerm = try object.uint64("conflict_term")
        return AppendResponse(
            success: success, matchIndex: matchIndex, rejectedIndex: rejectedIndex, conflictIndex: conflictIndex,
            conflictTerm: conflictTerm)
    }

    /// `leader_id`, which must be the sender: the core takes the leader from `from` anyway, so
    /// a different value can only come from a confused node.
    private static func leaderID(_ object: RaftWireObject, header: RaftWireHeader) throws(RaftWireError) -> NodeID {
        let leader = try object.nodeID("leader_id")
        guard leader == header.from else {
            throw RaftWireError(field: "leader_id", "must equal 'from' (\(header.from)), got \(leader)")
        }
        return leader
    }

    private static func decodeAppend(
        _ object: RaftWireObject, header: RaftWireHeader
    ) throws(RaftWireError) -> AppendEntries {
        let leader = try leaderID(object, header: header)
        let prevLogIndex = try object.uint64("prev_log_index")
        let prevLogTerm = try object.uint64("prev_log_term")
        guard prevLogTerm <= header.term else {
            throw RaftWireError(field: "prev_log_term", "\(prevLogTerm) exceeds the message term \(header.term)")
        }
        let values = try object.array("entries")
        guard values.count <= max(header.maxEntries, 0) else {
            throw RaftWireError(field: "entries", "\(values.count) entries exceed the limit of \(header.maxEntries)")
        }
        var entries: [LithairConsensus.LogEntry] = []
        entries.reserveCapacity(values.count)
        var previousTerm = prevLogTerm
        for (position, value) in values.enumerated() {
            let entry = try decodeEntry(RaftWireValue.object(value, in: "entries", at: position))
            try checkEntry(entry, position: position, prevLogIndex: prevLogIndex, previousTerm: previousTerm, header)
            previousTerm = entry.term
            entries.append(entry)
        }
        return AppendEntries(
            leaderID: leader, prevLogIndex: prevLogIndex, prevLogTerm: prevLogTerm, entries: entries,
            leaderCommit: try object.uint64("leader_commit"))
    }

    /// The log matching rules a follower relies on: entries extend the log right after
    /// `prev_log_index`, one index each (the core traps on a gap), and log terms never go down
    /// or beyond the leader's term.
    private static func checkEntry(
        _ entry: LithairConsensus.LogEntry, position: Int, prevLogIndex: UInt64, previousTerm: UInt64,
        _ header: RaftWireHeader
    ) throws(RaftWireError) {
        // No overflow: prevLogIndex <= Int64.max and position < maxEntries.
        let expectedIndex = prevLogIndex + 1 + UInt64(position)
        guard entry.index == expectedIndex else {
            throw RaftWireError(
                field: "entries[\(position)].index",
                "expected \(expectedIndex) (entries follow prev_log_index without gaps), got \(entry.index)")
        }
        guard entry.term >= previousTerm else {
            throw RaftWireError(
                field: "entries[\(position)].term", "\(entry.term) is below the preceding entry's term \(previousTerm)")
        }
        guard entry.term <= header.term else {
            throw RaftWireError(
                field: "entries[\(position)].term", "\(entry.term) exceeds the message term \(header.term)")
        }
    }

    /// One element of `entries`.
    static func decodeEntry(_ object: RaftWireObject) throws(RaftWireError) -> LithairConsensus.LogEntry {
        let index = try object.uint64("index")
        let term = try object.uint64("term")
        let kindName = try object.string("kind")
        guard let kind = EntryKind(rawValue: kindName) else {
            throw RaftWireError(
                field: object.path(of: "kind"),
                "expected \"normal\", \"noop\" or \"config\", got \(RaftWireValue.quote(kindName))")
        }
        return LithairConsensus.LogEntry(index: index, term: term, kind: kind, data: try object.bytes("data"))
    }

    private static func decodeInstallSnapshot(
        _ object: RaftWireObject, header: RaftWireHeader
    ) throws(RaftWireError) -> InstallSnapshot {
        let leader = try leaderID(object, header: header)
        let snapshot = try decodeSnapshotMetadata(object.object("snapshot"))
        guard snapshot.term <= header.term else {
            throw RaftWireError(field: "snapshot.term", "\(snapshot.term) exceeds the message term \(header.term)")
        }
        return InstallSnapshot(leaderID: leader, snapshot: snapshot)
    }
}
