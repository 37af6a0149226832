/// The core's in-memory view of the log: the entries after the latest snapshot, plus the
/// bookkeeping that tells which of them storage already holds and which are committed/applied.
///
/// Invariants: `snapshotIndex <= applied <= applying <= committed <= lastIndex`, and
/// `entries[k].index == snapshotIndex + 1 + k`.
struct RaftLog: Sendable {
    /// Latest snapshot the log starts after (index 0 / term 0 when there is none).
    private(set) var snapshot: SnapshotMetadata
    /// Entries after the snapshot.
    private(set) var entries: [LogEntry]
    /// Highest index known to be committed.
    private(set) var committed: UInt64
    /// Highest index the node reported as applied (through ``RaftCore/advance(_:)``).
    var applied: UInt64
    /// Highest index already handed to the node for applying (may be ahead of `applied`).
    var applying: UInt64
    /// First index not yet handed to the node for persistence.
    private(set) var unstableFrom: UInt64
    /// Highest index the node confirmed as durable.
    private(set) var persisted: UInt64

    /// A log restored from storage: everything given is already durable.
    init(snapshot: SnapshotMetadata, entries: [LogEntry], committed: UInt64) {
        precondition(entries.first.map { $0.index == snapshot.index + 1 } ?? true, "entries must follow the snapshot")
        self.snapshot = snapshot
        self.entries = entries
        let last = snapshot.index + UInt64(entries.count)
        self.committed = min(max(committed, snapshot.index), last)
        self.applied = snapshot.index
        self.applying = snapshot.index
        self.unstableFrom = last + 1
        self.persisted = last
    }

    var snapshotIndex: UInt64 { snapshot.index }
    var firstIndex: UInt64 { snapshot.index + 1 }
    var lastIndex: UInt64 { snapshot.index + UInt64(entries.count) }
    var lastTerm: UInt64 { term(at: lastIndex) ?? 0 }

    /// Term of the entry at `index`, or nil if it was compacted or does not exist yet.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshot.index { return snapshot.term }
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return entries[Int(index - firstIndex)].term
    }

    func matchesTerm(at index: UInt64, _ term: UInt64) -> Bool {
        self.term(at: index) == term
    }

    /// The election restriction (Raft §5.4.1): a candidate's log is at least as up to date as
    /// ours if its last term is higher, or equal with an index at least as long.
    func isUpToDate(lastIndex candidateIndex: UInt64, lastTerm candidateTerm: UInt64) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// The entry at `index`, or nil if it was compacted or does not exist yet.
    func entry(at index: UInt64) -> LogEntry? {
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return entries[Int(index - firstIndex)]
    }

    /// The configuration in force at `index`: the last `.config` entry at or before it, else the
    /// snapshot's; with the index of the entry (or snapshot) that set it.
    func membership(through index: UInt64) -> (membership: Membership, index: UInt64) {
        var candidate = min(index, lastIndex)
        while candidate > snapshot.index {
            let entry = entries[Int(candidate - firstIndex)]
            if entry.kind == .config, let membership = try? Membership(decoding: entry.data) {
                return (membership, candidate)
            }
            candidate -= 1
        }
        return (snapshot.membership, snapshot.index)
    }

    /// Entries in `from...` (at most `maxCount`), or nil if `from` was compacted away.
    func entries(from index: UInt64, maxCount: Int) -> [LogEntry]? {
        guard index >= firstIndex else { return nil }
        guard index <= lastIndex else { return [] }
        let start = Int(index - firstIndex)
        return Array(entries[start..<min(entries.count, start + maxCount)])
    }

    /// Entries in `range`; all must be present.
    func entries(in range: ClosedRange<UInt64>) -> [LogEntry] {
        Array(entries[Int(range.lowerBound - firstIndex)...Int(range.upperBound - firstIndex)])
    }

    /// Leader-side append at the end of the log.
    mutating func append(_ newEntries: [LogEntry]) {
        for entry in newEntries {
            precondition(entry.index == lastIndex + 1, "leader appends must be contiguous")
            entries.append(entry)
        }
    }

    /// Follower-side AppendEntries (Raft figure 2, receiver steps 2–5). Returns the index of the
    /// last new entry if the consistency check passes, nil otherwise.
    mutating func tryAppend(
        prevLogIndex: UInt64, prevLogTerm: UInt64, leaderCommit: UInt64, entries newEntries: [LogEntry]
    ) -> UInt64? {
        guard matchesTerm(at: prevLogIndex, prevLogTerm) else { return nil }
        let lastNew = prevLogIndex + UInt64(newEntries.count)
        if let conflict = newEntries.first(where: { !matchesTerm(at: $0.index, $0.term) }) {
            // A committed entry can never conflict with the leader's log: that would mean two
            // leaders disagree on a committed entry, i.e. a safety bug somewhere.
            precondition(conflict.index > committed, "conflict at committed index \(conflict.index)")
            truncateAndAppend(newEntries.drop { $0.index < conflict.index })
        }
        commit(to: min(leaderCommit, lastNew))
        return lastNew
    }

    /// Replaces everything from the first new entry's index on.
    private mutating func truncateAndAppend(_ newEntries: ArraySlice<LogEntry>) {
        guard let first = newEntries.first else { return }
        precondition(first.index > snapshot.index && first.index <= lastIndex + 1, "gap in appended entries")
        entries.removeSubrange(Int(first.index - firstIndex)...)
        entries.append(contentsOf: newEntries)
        // Storage must rewrite from here on, and no longer holds anything durable beyond it.
        unstableFrom = min(unstableFrom, first.index)
        persisted = min(persisted, first.index - 1)
    }

    /// Fast backtracking hint (etcd's `findConflictByTerm`): the largest index `<= index` whose
    /// term is `<= term`, so the leader can skip a whole term of mismatching entries at once.
    func conflictHint(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var candidate = min(index, lastIndex)
        while candidate > snapshot.index, let candidateTerm = self.term(at: candidate), candidateTerm > term {
            candidate -= 1
        }
        return (candidate, self.term(at: candidate) ?? 0)
    }

    mutating func commit(to index: UInt64) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
        committed = index
    }

    /// Hands out the entries storage does not have yet; they are then assumed in flight.
    mutating func takeUnstable() -> [LogEntry] {
        guard unstableFrom <= lastIndex else { return [] }
        let result = Array(entries[Int(unstableFrom - firstIndex)...])
        unstableFrom = lastIndex + 1
        return result
    }

    var hasUnstable: Bool { unstableFrom <= lastIndex }

    /// The node confirmed `position` is durable. Ignored if the entry was replaced meanwhile.
    mutating func persisted(through position: LogPosition) {
        guard position.index < unstableFrom, matchesTerm(at: position.index, position.term) else { return }
        persisted = max(persisted, position.index)
    }

    /// Committed entries not yet handed out for applying.
    mutating func takeCommitted() -> [LogEntry] {
        guard committed > applying else { return [] }
        let result = entries(in: (applying + 1)...committed)
        applying = committed
        return result
    }

    var hasCommittedToApply: Bool { committed > applying }

    /// Replaces the whole log by a snapshot received from the leader.
    mutating func restore(_ newSnapshot: SnapshotMetadata) {
        snapshot = newSnapshot
        entries = []
        committed = newSnapshot.index
        applying = newSnapshot.index
        unstableFrom = newSnapshot.index + 1
        // Nothing after the snapshot is durable any more; the snapshot itself becomes durable
        // when the node installs it (see `snapshotInstalled`).
        persisted = min(persisted, newSnapshot.index)
    }

    /// The node installed the snapshot handed out in a Ready.
    mutating func snapshotInstalled(_ installed: SnapshotMetadata) {
        guard installed == snapshot else { return }
        persisted = max(persisted, installed.index)
        applied = max(applied, installed.index)
    }

    /// Drops the entries covered by a snapshot the node took at `index`, where `membership` was
    /// the configuration in force.
    ///
    /// - Returns: the dropped entries, not yet released.
    mutating func compact(through index: UInt64, membership: Membership) -> [LogEntry] {
        guard index > snapshot.index, let term = term(at: index) else { return [] }
        let droppedCount = Int(index - snapshot.index)
        var dropped: [LogEntry] = []
        swap(&dropped, &entries)
        entries = Array(dropped[droppedCount...])
        dropped.removeLast(dropped.count - droppedCount)
        snapshot = SnapshotMetadata(index: index, term: term, membership: membership)
        return dropped
    }
}
