import Testing

@testable import LithairConsensus

/// The in-memory log: appends, conflicts, hints, persistence bookkeeping, compaction.
@Suite("RaftLog")
struct RaftLogTests {
    static func entries(_ terms: [UInt64], from first: UInt64 = 1) -> [LogEntry] {
        terms.enumerated().map { offset, term in
            LogEntry(index: first + UInt64(offset), term: term, data: [UInt8(offset)])
        }
    }

    static func log(terms: [UInt64], committed: UInt64 = 0) -> RaftLog {
        RaftLog(
            snapshot: SnapshotMetadata(index: 0, term: 0, voters: [1]), entries: entries(terms), committed: committed)
    }

    @Test("a matching append extends the log and commits up to the last new entry")
    func appendMatching() {
        var log = Self.log(terms: [1, 1])
        let last = log.tryAppend(
            prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 10, entries: Self.entries([2, 2], from: 3))
        #expect(last == 4)
        #expect(log.lastIndex == 4)
        #expect(log.committed == 4, "never beyond the last entry this append vouches for")
    }

    @Test("an append whose previous entry does not match is refused")
    func appendMismatch() {
        var log = Self.log(terms: [1, 1])
        #expect(log.tryAppend(prevLogIndex: 2, prevLogTerm: 2, leaderCommit: 0, entries: []) == nil)
        #expect(log.tryAppend(prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 0, entries: []) == nil)
    }

    @Test("a conflicting suffix is truncated and handed out again from the conflict")
    func conflictTruncates() {
        var log = Self.log(terms: [1, 1, 1, 1])
        _ = log.takeUnstable()
        log.persisted(through: LogPosition(index: 4, term: 1))
        let last = log.tryAppend(prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 0, entries: Self.entries([3], from: 3))
        #expect(last == 3)
        #expect(log.lastIndex == 3)
        #expect(log.term(at: 3) == 3)
        #expect(log.persisted == 2, "index 3 on disk is the old entry")
        let unstable = log.takeUnstable()
        #expect(unstable.map(\.index) == [3], "storage must truncateSuffix(from: 3) then append")
    }

    @Test("already-present entries do not truncate anything")
    func duplicateAppendIsIdempotent() {
        var log = Self.log(terms: [1, 1, 1])
        _ = log.takeUnstable()
        _ = log.tryAppend(prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0, entries: Self.entries([1, 1]))
        #expect(log.lastIndex == 3)
        #expect(!log.hasUnstable)
    }

    @Test("conflict hint skips a whole mismatching term")
    func conflictHint() {
        // Follower: terms 1 1 2 2 2 2; leader probes index 6 with term 3.
        let log = Self.log(terms: [1, 1, 2, 2, 2, 2])
        #expect(log.conflictHint(index: 6, term: 3) == (6, 2))
        // Leader probes index 6 with term 1: every term-2 entry is skipped at once.
        #expect(log.conflictHint(index: 6, term: 1) == (2, 1))
        // Beyond the follower's log: the hint is its last index.
        #expect(log.conflictHint(index: 9, term: 2).index == 6)
    }

    @Test("up-to-date comparison: higher last term wins, then longer log")
    func upToDate() {
        let log = Self.log(terms: [1, 2, 2])
        #expect(log.isUpToDate(lastIndex: 1, lastTerm: 3))
        #expect(log.isUpToDate(lastIndex: 3, lastTerm: 2))
        #expect(!log.isUpToDate(lastIndex: 2, lastTerm: 2))
        #expect(!log.isUpToDate(lastIndex: 9, lastTerm: 1))
    }

    @Test("compaction keeps the snapshot term and refuses compacted reads")
    func compaction() {
        var log = Self.log(terms: [1, 1, 2, 2], committed: 4)
        let dropped = log.compact(through: 3, membership: Membership(voters: [1]))
        #expect(dropped == Array(Self.entries([1, 1, 2])), "handed back for the caller to release")
        #expect(log.snapshot == SnapshotMetadata(index: 3, term: 2, voters: [1]))
        #expect(log.term(at: 3) == 2)
        #expect(log.term(at: 2) == nil)
        #expect(log.entries(from: 3, maxCount: 10) == nil, "a follower needing index 3 gets a snapshot")
        #expect(log.entries(from: 4, maxCount: 10)?.map(\.index) == [4])
    }

    @Test("compacting again drops only what followed the previous snapshot; compacting backwards drops nothing")
    func compactionTwice() {
        var log = Self.log(terms: [1, 1, 2, 2, 3], committed: 5)
        _ = log.compact(through: 2, membership: Membership(voters: [1]))
        #expect(log.compact(through: 2, membership: Membership(voters: [1])).isEmpty)
        #expect(log.compact(through: 1, membership: Membership(voters: [1])).isEmpty)
        #expect(log.compact(through: 4, membership: Membership(voters: [1])).map(\.index) == [3, 4])
        #expect(log.entries(from: 5, maxCount: 10) == [LogEntry(index: 5, term: 3, data: [4])])
        #expect(log.lastIndex == 5)
    }

    @Test("restoring a snapshot resets the log after it")
    func restoreSnapshot() {
        var log = Self.log(terms: [1, 1])
        let snapshot = SnapshotMetadata(index: 10, term: 3, voters: [1])
        log.restore(snapshot)
        #expect(log.lastIndex == 10)
        #expect(log.lastTerm == 3)
        #expect(log.committed == 10)
        #expect(log.takeCommitted().isEmpty, "the snapshot replaces applying those entries")
        log.snapshotInstalled(snapshot)
        #expect(log.applied == 10)
    }
}

/// Restarting a core from what storage holds.
@Suite("Restore from storage")
struct RestoreTests {
    @Test("entries already covered by the snapshot are skipped; committed entries are re-applied")
    func restoreSkipsCoveredEntries() {
        let entries = (1...6).map { LogEntry(index: UInt64($0), term: 2, data: [UInt8($0)]) }
        let snapshot = SnapshotMetadata(index: 3, term: 2, voters: [1, 2, 3])
        var core = RaftCore(
            config: RaftConfig(id: 1, voters: [1, 2, 3]),
            restoring: PersistentState(
                hardState: HardState(term: 2, vote: 1, commit: 5), snapshot: snapshot, entries: entries))
        #expect(core.snapshotMetadata == snapshot)
        #expect(core.lastIndex == 6)
        #expect(core.term(at: 2) == nil)
        let ready = core.ready()
        #expect(ready.hardState == nil, "nothing new to persist")
        #expect(ready.entries.isEmpty)
        #expect(ready.committedEntries.map(\.index) == [4, 5], "the state machine restarts from the snapshot")
    }
}
