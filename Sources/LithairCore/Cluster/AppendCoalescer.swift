import LithairConsensus

/// Merges appends queued for one peer into fewer, larger POSTs.
///
/// While a POST is in flight the leader keeps producing appends for the same peer, each
/// carrying one turn's entries. When the sender gets to them, consecutive appends of the same
/// term whose entries follow on from each other become one message (up to a cap) carrying
/// the newest commit index: one HTTP round trip instead of many, and HTTP round trips are
/// where replication spends its CPU. Anything else passes through, in order.
enum AppendCoalescer {
    static let maxEntries = 1000

    static func coalesce(_ messages: [RaftMessage]) -> [RaftMessage] {
        var result: [RaftMessage] = []
        result.reserveCapacity(messages.count)
        for next in messages {
            if let previous = result.last, let merged = merge(previous, with: next) {
                result[result.count - 1] = merged
            } else {
                result.append(next)
            }
        }
        return result
    }

    static func merge(_ message: RaftMessage, with next: RaftMessage) -> RaftMessage? {
        guard case .append(let append) = message.body, case .append(let following) = next.body,
            next.term == message.term, next.to == message.to,
            append.entries.count + following.entries.count <= maxEntries,
            following.prevLogIndex == append.prevLogIndex + UInt64(append.entries.count),
            following.prevLogTerm == (append.entries.last?.term ?? append.prevLogTerm)
        else { return nil }
        var merged = append
        merged.entries += following.entries
        merged.leaderCommit = max(append.leaderCommit, following.leaderCommit)
        return RaftMessage(from: message.from, to: message.to, term: message.term, body: .append(merged))
    }
}
