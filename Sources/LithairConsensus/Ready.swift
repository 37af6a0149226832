/// Everything the core asks the node to do after one or more inputs.
///
/// **Contract** — the node handles a Ready in this order, then calls ``RaftCore/advance(_:)``:
/// 1. If `snapshot` is set: install the snapshot bytes that came with the leader's
///    InstallSnapshot into the state machine, store them, and discard the whole stored log.
/// 2. If `entries` is not empty: delete every stored entry with index `>= entries[0].index`
///    (`truncateSuffix(from:)`), then append `entries`.
/// 3. If `hardState` is set: store it.
/// 4. Make 1–3 durable (fsync). **Only then** send `messages`: a vote or an acknowledgement
///    must never leave the node before the state that justifies it is on disk.
/// 5. Apply `committedEntries` in order, then serve `readStates` once applied reaches their index.
///    The first ``committedEntriesStored(throughStoredIndex:)`` of them may be applied before
///    step 1: they are committed and already in the node's log on disk.
/// 6. Call ``RaftCore/advance(_:)`` with this Ready.
///
/// A node may group several inputs (group commit) before pulling one Ready: one fsync then
/// covers many proposals.
public struct Ready: Sendable, Equatable {
    /// New role / leader, if it changed since the previous Ready.
    public var softState: SoftState?
    /// New hard state to persist, if it changed.
    public var hardState: HardState?
    /// A snapshot received from the leader, to install before anything else.
    public var snapshot: SnapshotMetadata?
    /// Entries to persist; they replace any stored entry from `entries[0].index` on.
    public var entries: [LogEntry] = []
    /// Messages to send once the above is durable.
    public var messages: [RaftMessage] = []
    /// Committed entries to apply to the state machine, in order.
    public var committedEntries: [LogEntry] = []
    /// Answers to ReadIndex requests.
    public var readStates: [ReadState] = []

    /// Creates an empty Ready.
    public init() {}

    /// True if storage must be synced before sending `messages`.
    public var mustSync: Bool {
        hardState != nil || !entries.isEmpty || snapshot != nil
    }

    /// How many of `committedEntries` are already stored, given the last index of the log on
    /// disk: those this Ready's `entries` do not replace (none when it installs a snapshot).
    ///
    /// Applying them needs nothing of this Ready's fsync, so a node may apply them (and answer
    /// their clients) first: on a leader they are the writes the followers just acknowledged,
    /// which would otherwise wait for the next batch's fsync.
    public func committedEntriesStored(throughStoredIndex stored: UInt64) -> Int {
        guard snapshot == nil else { return 0 }
        let durable = entries.first.map { min(stored, $0.index - 1) } ?? stored
        return committedEntries.prefix { $0.index <= durable }.count
    }

    /// True if there is nothing to do.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && snapshot == nil && entries.isEmpty && messages.isEmpty
            && committedEntries.isEmpty && readStates.isEmpty
    }
}
