/// When the next snapshot is due: `every` events after the last one, and not before the log
/// written since then is as large as that snapshot.
///
/// A snapshot rewrites the whole state, so with a fixed interval alone its cost per write
/// grows with the state: at 300,000 items each one wrote 147 MB and took about a second of
/// CPU on every node, every 100,000 writes. Waiting also until the log has grown as large as
/// the last snapshot (the Raft dissertation's "when to snapshot" rule) keeps snapshot
/// work in proportion to what is written, whatever the state's size, and the disk holds at
/// most about twice the snapshot. A small state still snapshots every `every` events, and
/// any state after `every × maxIntervals` events: the log since the last snapshot is also
/// held in memory (by the Raft core), and this bounds it.
struct SnapshotSchedule: Sendable, Equatable {
    /// The most snapshot intervals (of `every` events) between two snapshots.
    static let maxIntervals: UInt64 = 10
    /// The fewest events between snapshots.
    let every: Int
    /// The index of the last snapshot taken or installed (0 for none).
    private(set) var lastIndex: UInt64
    /// The size of the last snapshot stored, in bytes (0 for none).
    private(set) var lastBytes: Int
    /// Bytes of log entries written or applied since the last snapshot.
    private(set) var loggedBytes = 0

    init(every: Int, lastIndex: UInt64 = 0, lastBytes: Int = 0) {
        self.every = max(1, every)
        self.lastIndex = lastIndex
        self.lastBytes = lastBytes
    }

    /// Counts `bytes` of entries written to the log.
    mutating func logged(_ bytes: Int) { loggedBytes += bytes }

    /// Whether a snapshot at `index` is due.
    func isDue(at index: UInt64) -> Bool {
        guard index >= lastIndex else { return false }
        let events = index - lastIndex
        let longest = UInt64(every).multipliedReportingOverflow(by: Self.maxIntervals)
        return events >= UInt64(every)
            && (loggedBytes >= lastBytes || (!longest.overflow && events >= longest.partialValue))
    }

    /// A snapshot at `index` was started (or installed): the count starts again from it.
    mutating func snapshotStarted(at index: UInt64) {
        lastIndex = index
        loggedBytes = 0
    }

    /// The snapshot started last is stored, `bytes` long.
    mutating func snapshotStored(bytes: Int) { lastBytes = bytes }
}
