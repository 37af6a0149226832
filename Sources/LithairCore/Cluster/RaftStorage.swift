import LithairConsensus
import LithairStorage

/// The durable side of a Raft node: its log, hard state and snapshots on disk.
///
/// Owned by whoever runs the node's turn; not thread-safe. It translates between the consensus
/// core's entries (index, term, kind, data) and the storage log's records (index, term,
/// payload), storing the kind as the payload's first byte.
final class RaftStorage {
    let log: SegmentedLog
    let hardStates: HardStateStore
    let snapshots: SnapshotStore
    private var persistedTermAndVote: (term: UInt64, vote: NodeID?)

    init(directory: String) throws {
        log = try SegmentedLog(directory: directory + "/log", options: LogOptions(preallocate: true))
        hardStates = try HardStateStore(directory: directory)
        snapshots = try SnapshotStore(directory: directory + "/snapshots")
        let hard = try hardStates.load()
        persistedTermAndVote = (hard?.term ?? 0, hard?.votedFor)
    }

    /// What the consensus core needs to restart. `initial` is the configuration of a snapshot
    /// written before configurations were stored with snapshots.
    func persistentState(initial: Membership) throws -> PersistentState {
        let hard = try hardStates.load()
        let snapshot = try snapshots.latestMetadata().map { stored in
            guard !stored.configuration.isEmpty else {
                return LithairConsensus.SnapshotMetadata(index: stored.index, term: stored.term, membership: initial)
            }
            do {
                return LithairConsensus.SnapshotMetadata(
                    index: stored.index, term: stored.term, membership: try Membership(decoding: stored.configuration))
            } catch {
                throw RecoveryError(
                    message: "snapshot at index \(stored.index) in \(snapshots.directory): \(error)")
            }
        }
        let from = max(log.firstIndex, (snapshot?.index ?? 0) + 1)
        let stored = log.lastIndex >= from ? try log.entries(from: from, through: log.lastIndex) : []
        return PersistentState(
            hardState: LithairConsensus.HardState(
                term: hard?.term ?? 0, vote: hard?.votedFor, commit: max(hard?.commit ?? 0, snapshot?.index ?? 0)),
            snapshot: snapshot,
            entries: try stored.map(Self.consensusEntry))
    }

    /// Steps 2–4 of the Ready contract: replace the log's tail, store the hard state, sync.
    ///
    /// The hard state file is rewritten only when the term or the vote changed: those must be
    /// durable before a vote or an acknowledgement leaves; the commit index can be learned
    /// again from the leader, so it rides along only when the file is written anyway.
    ///
    /// - Parameter deferSync: write the entries but leave their sync to the caller (a leader's
    ///   ``LeaderLogSync``), which gets it back.
    func persist(
        entries: [LithairConsensus.LogEntry], hardState: LithairConsensus.HardState?, deferSync: Bool = false
    ) throws -> DeferredSync? {
        var deferred: DeferredSync?
        if let first = entries.first {
            if first.index <= log.lastIndex { try log.truncateSuffix(from: first.index) }
            try log.append(entries.map(Self.storageEntry))
            if deferSync { deferred = try log.deferSync() } else { try log.sync() }
        }
        if let hardState, hardState.term != persistedTermAndVote.term || hardState.vote != persistedTermAndVote.vote {
            try hardStates.save(
                LithairStorage.HardState(term: hardState.term, votedFor: hardState.vote, commit: hardState.commit))
            persistedTermAndVote = (hardState.term, hardState.vote)
        }
        return deferred
    }

    static func storageEntry(_ entry: LithairConsensus.LogEntry) -> LithairStorage.LogEntry {
        var payload: [UInt8] = []
        payload.reserveCapacity(entry.data.count + 1)
        payload.append(kindByte(entry.kind))
        payload.append(contentsOf: entry.data)
        return LithairStorage.LogEntry(index: entry.index, term: entry.term, payload: payload)
    }

    static func consensusEntry(_ record: LithairStorage.LogEntry) throws -> LithairConsensus.LogEntry {
        guard let first = record.payload.first, let kind = entryKind(first) else {
            throw RecoveryError(message: "log entry \(record.index) has an unknown kind")
        }
        return LithairConsensus.LogEntry(
            index: record.index, term: record.term, kind: kind, data: Array(record.payload.dropFirst()))
    }

    private static func kindByte(_ kind: EntryKind) -> UInt8 {
        switch kind {
        case .normal: 1
        case .noop: 2
        case .config: 3
        }
    }

    private static func entryKind(_ byte: UInt8) -> EntryKind? {
        switch byte {
        case 1: .normal
        case 2: .noop
        case 3: .config
        default: nil
        }
    }
}
