import Foundation
import LithairStorage
import Logging
import Synchronization

/// Writes snapshots on a background thread, so taking one never stalls the write path.
///
/// The caller hands over a copy of the model state; `ModelState` is a value type whose
/// collections are copy-on-write, so the copy costs nothing, and neither do the writes made
/// while it is being written (``ShardedDictionary`` keeps them aside instead of copying its
/// shards; ``ChunkedArray`` copies the one chunk appended to). The writer lets go of the copy
/// before reporting, so those writes settle into place soon after. Encoding and the fsync of
/// a snapshot that may be many megabytes happen here; the owner of the log compacts it when
/// told the snapshot is durable. The state is encoded and written in 1 MiB pieces, never whole.
///
/// Each snapshot gets its own thread at a lower scheduling priority (nice 10): on a busy
/// machine, encoding a large state would otherwise take a core away from request handling
/// for a second or more and show up as a latency spike on every client.
final class SnapshotWriter: Sendable {
    private let snapshots: SnapshotStore
    private let metrics: ServerMetrics
    private let logger: Logger
    private let busy = Mutex(false)
    private let storedBytes = Mutex<Int?>(nil)

    init(snapshots: SnapshotStore, metrics: ServerMetrics, logger: Logger) {
        self.snapshots = snapshots
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts writing `state` as the snapshot at `index`/`term`, with the cluster `configuration`
    /// in force there (empty for a single node), unless one is being written.
    ///
    /// - Returns: `false` if a snapshot is already in progress (the caller tries again later).
    /// - Parameter completion: called on the writer's thread with whether the snapshot is durable.
    @discardableResult
    func write(
        _ state: ModelState, index: UInt64, term: UInt64, configuration: [UInt8] = [],
        completion: @escaping @Sendable (Bool) -> Void
    ) -> Bool {
        let started = busy.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard started else { return false }
        let handOver = StateHandOver(state)
        startNamedThread("lithair-snapshot") { [self] in
            Self.lowerCurrentThreadPriority()
            let clock = ContinuousClock.now
            var durable = false
            do {
                let bytes = try snapshots.save(
                    metadata: SnapshotMetadata(index: index, term: term, configuration: configuration)
                ) { write in
                    try handOver.withState { state in
                        try ModelSnapshotCodec.encode(state, pieceBytes: Self.pieceBytes, emit: write)
                    }
                }
                metrics.recordSnapshot(ContinuousClock.now - clock)
                logger.info(
                    "snapshot taken",
                    metadata: [
                        "index": "\(index)", "bytes": "\(bytes)",
                        "ms": "\(Int((ContinuousClock.now - clock).seconds * 1000))",
                        "cpu_ms": "\(Self.threadCPUMillis())",
                    ])
                storedBytes.withLock { $0 = bytes }
                durable = true
            } catch {
                logger.error("snapshot failed; the log is kept", metadata: ["error": "\(error)"])
            }
            // Before the owner hears of it: while this copy lives, the owner's writes wait in
            // the side tables of ShardedDictionary instead of settling into the shards.
            handOver.release()
            busy.withLock { $0 = false }
            completion(durable)
        }
        return true
    }

    /// Sets the calling thread's nice value to 10; best effort. On Linux the nice value belongs
    /// to the thread, and `who == 0` names the caller (not the whole process).
    private static func lowerCurrentThreadPriority() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    }

    /// The snapshot is encoded and written in pieces of this size (the store flushes the file
    /// every 128 KiB within them).
    static let pieceBytes = 1 << 20

    /// CPU time the calling thread has used, in milliseconds: the wall time stretches when
    /// the machine is busy (this thread runs at nice 10), this does not.
    private static func threadCPUMillis() -> Int {
        var spec = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0 else { return -1 }
        return spec.tv_sec * 1000 + spec.tv_nsec / 1_000_000
    }

    /// The size of the last snapshot this writer stored, in bytes.
    var lastStoredBytes: Int? { storedBytes.withLock { $0 } }

    /// Whether a snapshot is being written now.
    var isBusy: Bool { busy.withLock { $0 } }
}

/// Holds the state being written until the writer is done with it, so that the writer can let
/// go of it before the closure that started it ends.
private final class StateHandOver: Sendable {
    private let state: Mutex<ModelState?>

    init(_ state: ModelState) { self.state = Mutex(state) }

    func withState(_ body: (borrowing ModelState) throws -> Void) throws {
        guard let state = state.withLock({ $0 }) else { return }
        try body(state)
    }

    func release() { state.withLock { $0 = nil } }
}
