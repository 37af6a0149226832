/// One Raft log entry as the storage layer sees it: an opaque payload at an index, written in a term.
public struct LogEntry: Sendable, Equatable {
    /// The position in the log, starting at 1.
    public var index: UInt64
    /// The leader term in which the entry was created.
    public var term: UInt64
    /// The encoded command (a model event, a configuration change, or empty for a no-op).
    public var payload: [UInt8]

    /// Creates an entry.
    public init(index: UInt64, term: UInt64, payload: [UInt8]) {
        self.index = index
        self.term = term
        self.payload = payload
    }
}

/// Tuning for ``SegmentedLog``.
public struct LogOptions: Sendable {
    /// A segment is closed and a new one started before a record would take it past this size.
    /// A single record larger than this still goes into a segment of its own.
    public var segmentSizeBytes: Int = 64 << 20
    /// Whether segment files are created zero-filled and synced, so that `fdatasync` after an
    /// append flushes data alone instead of also allocating blocks and writing the file's size.
    /// Sizes start at 1 MiB and double with each segment up to ``segmentSizeBytes``; the next
    /// one is prepared in the background while the current one fills.
    public var preallocate: Bool = false

    /// Creates options. A node's log uses `preallocate: true`.
    public init(segmentSizeBytes: Int = 64 << 20, preallocate: Bool = false) {
        self.segmentSizeBytes = segmentSizeBytes
        self.preallocate = preallocate
    }
}

/// Counters of the work ``SegmentedLog`` did since it was opened, for metrics and tests.
public struct LogStats: Sendable, Equatable {
    /// Entries appended.
    public var entriesAppended: UInt64 = 0
    /// Bytes written to segments (records, headers included).
    public var bytesWritten: UInt64 = 0
    /// `write` system calls issued by appends (one per segment touched by an append).
    public var writeCalls: UInt64 = 0
    /// `fdatasync` calls issued by ``SegmentedLog/sync()`` (one per segment written since the previous sync).
    public var syncs: UInt64 = 0
    /// Segment files created.
    public var segmentsCreated: UInt64 = 0
    /// Of those, segments that began as a spare zero-filled in the background.
    public var segmentsFromSpares: UInt64 = 0
    /// Segment files deleted (compaction, truncation, reset).
    public var segmentsDeleted: UInt64 = 0

    /// Zero counters.
    public init() {}
}

/// What ``SegmentedLog`` found and repaired when it opened. The caller logs it.
///
/// A torn tail (a record cut short, or failing its checksum, at the very end of the last segment)
/// is the normal trace of a crash during a write that was never acknowledged, so it is repaired
/// by truncation and reported, not treated as an error.
public struct LogRecoveryReport: Sendable, Equatable {
    /// Segment files read.
    public var segmentsScanned: Int = 0
    /// Entries found valid.
    public var entriesRecovered: Int = 0
    /// Bytes cut from the end of the log (0 if the tail was clean).
    public var truncatedBytes: Int = 0
    /// The segment that was truncated, if any.
    public var truncatedFile: String?
    /// The offset the segment was truncated to (the end of its last whole record).
    public var truncatedAtOffset: Int?
    /// Other repairs and oddities worth a log line.
    public var warnings: [String] = []

    /// Whether a torn tail was cut off.
    public var didTruncate: Bool { truncatedBytes > 0 }

    /// Creates an empty report.
    public init() {}
}

extension LogRecoveryReport: CustomStringConvertible {
    /// One line for the operator's log.
    public var description: String {
        var text = "log recovery: \(entriesRecovered) entries in \(segmentsScanned) segment(s)"
        if let file = truncatedFile, let offset = truncatedAtOffset {
            text += "; torn tail: truncated \(truncatedBytes) bytes of \(file) at offset \(offset)"
        }
        for warning in warnings { text += "; \(warning)" }
        return text
    }
}
