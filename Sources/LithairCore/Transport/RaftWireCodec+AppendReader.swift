import LithairConsensus

// The receiving half of the hot path: an `append` body in exactly the layout
// RaftWireCodec+AppendWriter writes, read in one pass without a JSONValue tree (which costs a
// dictionary and a base64 String per entry). Anything else — another member order, whitespace,
// an unknown member, a number out of range, any check of the general decoder failing — answers
// nil, and the general decoder reads the body and names the problem. A test holds the two
// readers together on well-formed and damaged bodies.

extension RaftWireCodec {
    /// The `append` message in `body` if it is in the writer's layout and passes every check
    /// ``decode(_:route:maxEntries:)`` makes; otherwise nil.
    static func decodeWrittenAppend(_ body: UnsafeRawBufferPointer, maxEntries: Int) -> RaftMessage? {
        var reader = AppendReader(cursor: ByteCursor(body))
        return reader.message(maxEntries: maxEntries)
    }
}

private struct AppendReader {
    var cursor: ByteCursor
    var bytes: UnsafeRawBufferPointer { cursor.bytes }
    var position: Int {
        get { cursor.position }
        set { cursor.position = newValue }
    }

    mutating func message(maxEntries: Int) -> RaftMessage? {
        guard literal(#"{"entries":["#) else { return nil }
        var entries: [LogEntry] = []
        if !literal("]") {
            repeat {
                guard entries.count < maxEntries, let entry = entry() else { return nil }
                entries.append(entry)
            } while literal(",")
            guard literal("]") else { return nil }
        }
        guard literal(#","from":"#), let from = number(), from > 0,
            literal(#","leader_commit":"#), let leaderCommit = number(),
            literal(#","leader_id":"#), let leaderID = number(), leaderID == from,
            literal(#","prev_log_index":"#), let prevLogIndex = number(),
            literal(#","prev_log_term":"#), let prevLogTerm = number(),
            literal(#","term":"#), let term = number(), prevLogTerm <= term,
            literal(#","to":"#), let to = number(), to > 0,
            literal(#","type":"append"}"#), cursor.atEnd
        else { return nil }
        // The log matching checks of the general decoder: indexes follow prev_log_index without
        // gaps; terms never go down, start at or above prev_log_term and stay within `term`.
        var previousTerm = prevLogTerm
        for (offset, entry) in entries.enumerated() {
            guard entry.index == prevLogIndex + 1 + UInt64(offset), entry.term >= previousTerm, entry.term <= term
            else { return nil }
            previousTerm = entry.term
        }
        return RaftMessage(
            from: from, to: to, term: term,
            body: .append(
                AppendEntries(
                    leaderID: leaderID, prevLogIndex: prevLogIndex, prevLogTerm: prevLogTerm, entries: entries,
                    leaderCommit: leaderCommit)))
    }

    private mutating func entry() -> LogEntry? {
        guard literal(#"{"data":""#) else { return nil }
        let start = position
        while position < bytes.count, bytes[position] != UInt8(ascii: "\"") { position += 1 }
        guard position < bytes.count,
            let data = try? Base64.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        else { return nil }
        position += 1
        guard literal(#","index":"#), let index = number(), literal(#","kind":""#) else { return nil }
        let kind: EntryKind
        if literal("normal") {
            kind = .normal
        } else if literal("noop") {
            kind = .noop
        } else if literal("config") {
            kind = .config
        } else {
            return nil
        }
        guard literal(#"","term":"#), let term = number(), literal("}") else { return nil }
        return LogEntry(index: index, term: term, kind: kind, data: data)
    }

    private mutating func literal(_ text: StaticString) -> Bool { cursor.skip(text) }

    /// A JSON integer in `0...Int64.max` with no leading zero.
    private mutating func number() -> UInt64? {
        let start = position
        var value: UInt64 = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2, sum <= UInt64(Int64.max) else { return nil }
            value = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        return value
    }
}
