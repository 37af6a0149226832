import LithairConsensus

/// The simulated state machine: a digest of every entry applied so far, in order.
///
/// Two nodes that applied the same entries have the same digest, so comparing digests per
/// index checks State Machine Safety without keeping the commands. It is also what a snapshot
/// of this machine contains.
public struct MachineState: Sendable, Hashable {
    /// Index of the last applied entry.
    public var appliedIndex: UInt64 = 0
    /// Running FNV-1a digest of the applied entries.
    public var digest: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty machine.
    public init() {}

    /// Applies the next entry.
    public mutating func apply(_ entry: LogEntry) {
        appliedIndex = entry.index
        mix(entry.index)
        mix(entry.term)
        mix(UInt64(entry.kind == .normal ? 1 : 0))
        for byte in entry.data { mix(UInt64(byte)) }
    }

    private mutating func mix(_ value: UInt64) {
        digest = (digest ^ value) &* 0x100_0000_01b3
    }
}

/// What a simulated node keeps on its "disk": exactly what the Ready contract says to persist.
public struct SimulatedStorage: Sendable {
    /// Last persisted hard state.
    public var hardState = HardState()
    /// Latest snapshot metadata, if any.
    public var snapshot: SnapshotMetadata?
    /// The state machine contents of `snapshot`.
    public var snapshotState = MachineState()
    /// Entries after the snapshot.
    public var entries: [LogEntry] = []

    /// Index of the latest snapshot (0 if none).
    public var snapshotIndex: UInt64 { snapshot?.index ?? 0 }
    /// Last stored index.
    public var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }

    /// The stored entry at `index`, if not compacted.
    public func entry(at index: UInt64) -> LogEntry? {
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)]
    }

    /// Term at `index` as storage knows it (snapshot term at the snapshot index).
    public func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshot?.term ?? 0 }
        return entry(at: index)?.term
    }

    /// Deletes every entry at or after `index`.
    public mutating func truncateSuffix(from index: UInt64) {
        entries.removeAll { $0.index >= index }
    }

    /// What the core needs to restart.
    public var persistentState: PersistentState {
        PersistentState(hardState: hardState, snapshot: snapshot, entries: entries)
    }
}
