import LithairConsensus

// The hot path of replication: an `append` body (and its answer) written straight into bytes instead of through
// a JSONValue tree, which costs a dictionary, a key sort and a base64 String per entry (about
// 5× slower for 100 entries). The output is byte for byte what JSONWriter writes for the
// generic tree (keys in UTF-8 order, no whitespace); a test holds the two paths together.

extension RaftWireCodec {
    /// The body of an `append` message whose body is `request`.
    static func encodeAppend(_ message: RaftMessage, _ request: AppendEntries) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(
            request.entries.reduce(160) { $0 + Base64.encodedCount($1.data.count) + 80 })
        // Members in UTF-8 key order: entries, from, leader_commit, leader_id, prev_log_index,
        // prev_log_term, term, to, type.
        append(#"{"entries":["#, to: &buffer)
        for (position, entry) in request.entries.enumerated() {
            if position > 0 { buffer.append(UInt8(ascii: ",")) }
            // Entry members in key order: data, index, kind, term. Base64 and the kind names
            // are plain ASCII: nothing to escape.
            append(#"{"data":""#, to: &buffer)
            Base64.encode(entry.data, appendingTo: &buffer)
            append(#"","index":"#, entry.index, to: &buffer)
            append(#","kind":""#, to: &buffer)
            buffer.append(contentsOf: entry.kind.rawValue.utf8)
            append(#"","term":"#, entry.term, to: &buffer)
            buffer.append(UInt8(ascii: "}"))
        }
        append(#"],"from":"#, message.from, to: &buffer)
        append(#","leader_commit":"#, request.leaderCommit, to: &buffer)
        append(#","leader_id":"#, request.leaderID, to: &buffer)
        append(#","prev_log_index":"#, request.prevLogIndex, to: &buffer)
        append(#","prev_log_term":"#, request.prevLogTerm, to: &buffer)
        append(#","term":"#, message.term, to: &buffer)
        append(#","to":"#, message.to, to: &buffer)
        append(#","type":"append"}"#, to: &buffer)
        return buffer
    }

    /// The body of an `append_response`: every follower answers every append with one.
    static func encodeAppendResponse(_ message: RaftMessage, _ response: AppendResponse) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(240)
        // Members in UTF-8 key order: conflict_index, conflict_term, from, match_index,
        // rejected_index, success, term, to, type.
        append(#"{"conflict_index":"#, response.conflictIndex, to: &buffer)
        append(#","conflict_term":"#, response.conflictTerm, to: &buffer)
        append(#","from":"#, message.from, to: &buffer)
        append(#","match_index":"#, response.matchIndex, to: &buffer)
        append(#","rejected_index":"#, response.rejectedIndex, to: &buffer)
        append(response.success ? #","success":true,"term":"# : #","success":false,"term":"#, message.term, to: &buffer)
        append(#","to":"#, message.to, to: &buffer)
        append(#","type":"append_response"}"#, to: &buffer)
        return buffer
    }

    /// `literal` (a key, and what comes before it), then `value`.
    private static func append(_ literal: StaticString, _ value: UInt64, to buffer: inout [UInt8]) {
        append(literal, to: &buffer)
        RaftWireValue.write(value, into: &buffer)
    }

    private static func append(_ literal: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
