/// Identifies a node of the cluster. `0` is never a valid id.
public typealias NodeID = UInt64

/// What a log entry carries, so the state machine knows whether to hand it to the model.
public enum EntryKind: String, Sendable, Hashable, Codable {
    /// A client command: `data` is opaque to the consensus core.
    case normal
    /// The empty entry a new leader appends at the start of its term. It lets the leader commit
    /// entries of earlier terms (Raft §5.4.2) and confirms its leadership for ReadIndex.
    case noop
    /// A cluster configuration change: `data` is the new ``Membership``, ``Membership/encoded()``.
    case config
}

/// One entry of the replicated log.
public struct LogEntry: Sendable, Hashable, Codable {
    /// Position in the log, starting at 1.
    public var index: UInt64
    /// Term of the leader that created the entry.
    public var term: UInt64
    /// Whether this is a client command, a leader no-op or a configuration change.
    public var kind: EntryKind
    /// Opaque payload (the command bytes for `.normal` entries).
    public var data: [UInt8]

    /// Creates an entry.
    public init(index: UInt64, term: UInt64, kind: EntryKind = .normal, data: [UInt8] = []) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}

/// A position in the log: an index and the term of the entry stored there.
///
/// Returned by ``RaftCore/propose(_:)``: the proposal succeeded if and only if the entry the node
/// later applies at `index` has this `term` (a different term means another leader overwrote it).
public struct LogPosition: Sendable, Hashable, Codable {
    /// Index of the entry.
    public var index: UInt64
    /// Term of the entry.
    public var term: UInt64

    /// Creates a position.
    public init(index: UInt64, term: UInt64) {
        self.index = index
        self.term = term
    }
}
