import LithairConsensus

@testable import LithairCore

/// Valid messages covering every body case, with entries, empty entries, and optional fields
/// both nil and set.
enum RaftWireSamples {
    static let entries: [LithairConsensus.LogEntry] = [
        LithairConsensus.LogEntry(index: 8, term: 4, kind: .noop),
        LithairConsensus.LogEntry(index: 9, term: 5, kind: .normal, data: Array(#"{"op":"put","id":"p1"}"#.utf8)),
        LithairConsensus.LogEntry(index: 10, term: 5, kind: .config, data: [0x00, 0xFF, 0x10, 0x80]),
        LithairConsensus.LogEntry(index: 11, term: 5, kind: .normal, data: Array(0...255)),
    ]

    static let append = RaftMessage(
        from: 1, to: 2, term: 5,
        body: .append(AppendEntries(leaderID: 1, prevLogIndex: 7, prevLogTerm: 4, entries: entries, leaderCommit: 9)))

    static let probe = RaftMessage(
        from: 3, to: 1, term: 9,
        body: .append(AppendEntries(leaderID: 3, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0)))

    static let all: [RaftMessage] = [
        append,
        probe,
        RaftMessage(from: 2, to: 1, term: 5, body: .appendResponse(.accepted(matchIndex: 11))),
        RaftMessage(
            from: 2, to: 1, term: 5, body: .appendResponse(.rejected(index: 7, conflictIndex: 6, conflictTerm: 3))),
        RaftMessage(from: 1, to: 3, term: 5, body: .heartbeat(Heartbeat(leaderID: 1, leaderCommit: 9))),
        RaftMessage(
            from: 1, to: 3, term: 5, body: .heartbeat(Heartbeat(leaderID: 1, leaderCommit: 9, context: [1, 2, 3]))),
        RaftMessage(from: 1, to: 3, term: 5, body: .heartbeat(Heartbeat(leaderID: 1, leaderCommit: 0, context: []))),
        RaftMessage(from: 3, to: 1, term: 5, body: .heartbeatResponse(HeartbeatResponse())),
        RaftMessage(from: 3, to: 1, term: 5, body: .heartbeatResponse(HeartbeatResponse(context: [9, 8, 7, 6]))),
        RaftMessage(
            from: 2, to: 3, term: 6, body: .voteRequest(VoteRequest(preVote: true, lastLogIndex: 11, lastLogTerm: 5))),
        RaftMessage(
            from: 2, to: 3, term: 6,
            body: .voteRequest(
                VoteRequest(preVote: false, lastLogIndex: 11, lastLogTerm: 5, leadershipTransfer: true))),
        RaftMessage(from: 3, to: 2, term: 6, body: .voteResponse(VoteResponse(preVote: true, granted: true))),
        RaftMessage(from: 3, to: 2, term: 6, body: .voteResponse(VoteResponse(preVote: false, granted: false))),
        RaftMessage(
            from: 1, to: 2, term: 7,
            body: .installSnapshot(
                InstallSnapshot(
                    leaderID: 1, snapshot: LithairConsensus.SnapshotMetadata(index: 1200, term: 6, voters: [1, 2, 3])))),
        RaftMessage(from: 1, to: 2, term: 7, body: .timeoutNow),
        RaftMessage(from: 2, to: 1, term: 7, body: .readIndex(ReadIndexRequest(context: Array("req-42".utf8)))),
        RaftMessage(from: 2, to: 1, term: 7, body: .readIndex(ReadIndexRequest(context: []))),
        RaftMessage(
            from: 1, to: 2, term: 7, body: .readIndexResponse(ReadIndexResponse(index: 1234, context: [0xAB, 0xCD]))),
        // The largest numbers the wire carries.
        RaftMessage(
            from: UInt64(Int64.max), to: 1, term: UInt64(Int64.max),
            body: .readIndexResponse(ReadIndexResponse(index: UInt64(Int64.max), context: [0]))),
    ]

    /// The JSON object of an encoded message.
    static func members(of message: RaftMessage) -> [String: JSONValue] {
        try! JSONParser.parse(RaftWireCodec.encode(message)).objectValue!
    }

    /// The body of `message` after `edit` changed its JSON members.
    static func body(_ message: RaftMessage, _ edit: (inout [String: JSONValue]) -> Void) -> [UInt8] {
        var object = members(of: message)
        edit(&object)
        return JSONWriter.bytes(.object(object))
    }
}

extension RaftWireSamples {
    /// A random valid message (ids positive, numbers within `Int64`, entries contiguous after
    /// `prev_log_index` with non-decreasing terms, `leader_id == from`).
    static func random(using generator: inout SplitMix64) -> RaftMessage {
        func number(_ generator: inout SplitMix64) -> UInt64 {
            // Mostly small, sometimes at the top of the range.
            Bool.random(using: &generator)
                ? .random(in: 0...1_000, using: &generator) : .random(in: 0...UInt64(Int64.max), using: &generator)
        }
        func bytes(_ generator: inout SplitMix64) -> [UInt8] {
            (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        let from = UInt64.random(in: 1...9, using: &generator)
        let to = UInt64.random(in: 1...9, using: &generator)
        let term = UInt64.random(in: 1...UInt64(Int64.max), using: &generator)
        let body: RaftMessage.Body
        switch RaftWireType.allCases.randomElement(using: &generator)! {
        case .append:
            let prevLogIndex = UInt64.random(in: 0...1_000_000, using: &generator)
            var entryTerm = UInt64.random(in: 0...term, using: &generator)
            let prevLogTerm = entryTerm
            let entries = (0..<Int.random(in: 0...8, using: &generator)).map { offset in
                entryTerm = .random(in: entryTerm...term, using: &generator)
                return LithairConsensus.LogEntry(
                    index: prevLogIndex + 1 + UInt64(offset), term: entryTerm,
                    kind: [.normal, .noop, .config].randomElement(using: &generator)!, data: bytes(&generator))
            }
            body = .append(
                AppendEntries(
                    leaderID: from, prevLogIndex: prevLogIndex, prevLogTerm: prevLogTerm, entries: entries,
                    leaderCommit: number(&generator)))
        case .appendResponse:
            body = .appendResponse(
                AppendResponse(
                    success: .random(using: &generator), matchIndex: number(&generator),
                    rejectedIndex: number(&generator), conflictIndex: number(&generator),
                    conflictTerm: number(&generator)))
        case .heartbeat:
            body = .heartbeat(
                Heartbeat(
                    leaderID: from, leaderCommit: number(&generator),
                    context: Bool.random(using: &generator) ? bytes(&generator) : nil))
        case .heartbeatResponse:
            body = .heartbeatResponse(
                HeartbeatResponse(context: Bool.random(using: &generator) ? bytes(&generator) : nil))
        case .vote:
            body = .voteRequest(
                VoteRequest(
                    preVote: .random(using: &generator), lastLogIndex: number(&generator),
                    lastLogTerm: number(&generator), leadershipTransfer: .random(using: &generator)))
        case .voteResponse:
            body = .voteResponse(VoteResponse(preVote: .random(using: &generator), granted: .random(using: &generator)))
        case .installSnapshot:
            // Distinct ids in a seed-determined order (a Set's order changes between runs).
            let voters = Array(
                (1...9 as ClosedRange<UInt64>).shuffled(using: &generator).prefix(
                    Int.random(in: 1...5, using: &generator)))
            body = .installSnapshot(
                InstallSnapshot(
                    leaderID: from,
                    snapshot: LithairConsensus.SnapshotMetadata(
                        index: number(&generator), term: .random(in: 0...term, using: &generator), voters: voters)))
        case .timeoutNow:
            body = .timeoutNow
        case .readIndex:
            body = .readIndex(ReadIndexRequest(context: bytes(&generator)))
        case .readIndexResponse:
            body = .readIndexResponse(ReadIndexResponse(index: number(&generator), context: bytes(&generator)))
        }
        return RaftMessage(from: from, to: to, term: term, body: body)
    }
}
