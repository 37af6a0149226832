import LithairConsensus
import Testing

@testable import LithairCore

@Suite("Merging queued appends")
struct AppendCoalescerTests {
    private func append(prev: UInt64, entries: ClosedRange<UInt64>?, commit: UInt64, term: UInt64 = 2) -> RaftMessage {
        let entries = entries.map { range in range.map { LithairConsensus.LogEntry(index: $0, term: term, data: [1]) } }
        return RaftMessage(
            from: 1, to: 2, term: term,
            body: .append(
                AppendEntries(
                    leaderID: 1, prevLogIndex: prev, prevLogTerm: term, entries: entries ?? [], leaderCommit: commit)))
    }

    private func describe(_ messages: [RaftMessage]) -> [String] {
        messages.map { message in
            guard case .append(let append) = message.body else { return "other" }
            return "\(append.prevLogIndex)+\(append.entries.count)@\(append.leaderCommit)"
        }
    }

    @Test("contiguous appends of one term become one, with the newest commit index")
    func mergesContiguous() {
        let merged = AppendCoalescer.coalesce([
            append(prev: 10, entries: 11...12, commit: 10), append(prev: 12, entries: 13...15, commit: 12),
            append(prev: 15, entries: 16...16, commit: 13),
        ])
        #expect(describe(merged) == ["10+6@13"])
    }

    @Test("a gap, another term or another message keeps messages apart, in order")
    func keepsOthersApart() {
        let heartbeat = RaftMessage(
            from: 1, to: 2, term: 2, body: .heartbeat(Heartbeat(leaderID: 1, leaderCommit: 5)))
        let items = [
            append(prev: 10, entries: 11...12, commit: 10), append(prev: 20, entries: 21...21, commit: 10), heartbeat,
            append(prev: 21, entries: 22...22, commit: 11), append(prev: 22, entries: 23...23, commit: 11, term: 3),
        ]
        #expect(describe(AppendCoalescer.coalesce(items)) == ["10+2@10", "20+1@10", "other", "21+1@11", "22+1@11"])
    }

    @Test("merging stops at the size cap")
    func respectsTheCap() {
        let big = UInt64(AppendCoalescer.maxEntries)
        let merged = AppendCoalescer.coalesce([
            append(prev: 0, entries: 1...big, commit: 0), append(prev: big, entries: (big + 1)...(big + 1), commit: 0),
        ])
        #expect(merged.count == 2)
    }
}
