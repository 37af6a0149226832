/// How the local log batches writes and takes snapshots.
public struct CommitSettings: Sendable, Equatable {
    /// The most commands one log append (and one fsync) carries. Seed default: 100.
    public var maxBatch: Int = 100
    /// How long a write may wait for companions before its batch is flushed. Seed default: 5 ms.
    ///
    /// The flusher never waits while the disk is idle: a lone write goes out at once, and
    /// writes that arrive during a flush form the next batch. The interval only bounds the
    /// extra wait the flusher takes to fill a batch when writes are arriving concurrently,
    /// and that wait is also never longer than a flush itself takes lately (a fast disk gets
    /// short waits, a slow one up to the whole interval).
    public var flushInterval: Duration = .milliseconds(5)
    /// Take a snapshot (and drop the log before it) after this many applied events, once the
    /// log written since the last snapshot is also at least as large as that snapshot: a
    /// large state is rewritten less often, so snapshots cost the same per write whatever
    /// the state's size (the Raft dissertation's "when to snapshot" rule). Never more than ten
    /// times this many events apart, which bounds the log held in memory.
    public var snapshotEvery: Int = 100_000

    /// The seed's defaults.
    public init() {}
}
