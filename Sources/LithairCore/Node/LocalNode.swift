import LithairStorage
import Logging
import Synchronization

/// A single Lithair node: the model store, its durable log and its snapshots.
///
/// Startup is split in two so that the HTTP server can answer `/health` and a 503 `/ready`
/// while the log replays: ``init(directory:schemas:settings:metrics:logger:)`` only takes the
/// data directory's lock; ``recover()`` loads the newest snapshot, replays the log after it
/// and starts the committer.
final class LocalNode: Sendable {
    let store: ModelStore
    let directory: String
    private let settings: CommitSettings
    private let metrics: ServerMetrics
    private let logger: Logger
    private let lock: DataDirectoryLock
    private let committer = Mutex<GroupCommitter?>(nil)

    init(
        directory: String, schemas: [ModelSchema], settings: CommitSettings, metrics: ServerMetrics, logger: Logger
    ) throws {
        self.directory = directory
        self.store = ModelStore(schemas: schemas)
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.lock = try DataDirectoryLock(directory: directory)
    }

    var isReady: Bool { committer.withLock { $0 != nil } }

    /// Loads the newest snapshot, replays the log after it, and opens the node for writes.
    ///
    /// - Throws: a ``LithairStorage/StorageError`` naming the file when a snapshot or log
    ///   segment is corrupt; the node must not serve in that case.
    func recover() throws {
        let snapshots = try SnapshotStore(directory: directory + "/snapshots")
        var state = ModelState(schemas: store.schemas)
        if let (metadata, data) = try snapshots.latest() {
            do {
                state = try ModelSnapshotCodec.decode(data, schemas: store.schemas)
            } catch {
                throw RecoveryError(message: "snapshot at index \(metadata.index) in \(directory)/snapshots: \(error)")
            }
            logger.info("loaded snapshot", metadata: ["index": "\(metadata.index)"])
        }
        let log = try SegmentedLog(directory: directory + "/log", options: LogOptions(preallocate: true))
        for warning in log.recovery.warnings {
            logger.warning("\(warning)")
        }
        let replayFrom = state.appliedIndex + 1
        if log.lastIndex >= replayFrom && log.firstIndex > replayFrom {
            throw RecoveryError(
                message:
                    "log in \(directory)/log starts at index \(log.firstIndex) but the newest snapshot ends at "
                    + "\(state.appliedIndex): entries are missing")
        }
        var replayed = 0
        var next = replayFrom
        while next <= log.lastIndex {
            let chunkEnd = min(log.lastIndex, next + 4095)
            for entry in try log.entries(from: next, through: chunkEnd) {
                do {
                    _ = try state.apply(encoded: entry.payload, at: entry.index)
                } catch {
                    throw RecoveryError(message: "log entry \(entry.index) in \(directory)/log: \(error)")
                }
                replayed += 1
            }
            next = chunkEnd + 1
        }
        store.replace(with: state)
        logger.info(
            "recovered", metadata: ["replayed": "\(replayed)", "applied_index": "\(store.appliedIndex)"])
        let committer = GroupCommitter(
            log: log, snapshots: snapshots, store: store, settings: settings, metrics: metrics, logger: logger)
        committer.start()
        self.committer.withLock { $0 = committer }
    }

    func submit(_ command: ModelCommand, whenDone: @escaping @Sendable (Result<CommitResult, NodeError>) -> Void) {
        guard let committer = committer.withLock({ $0 }) else { return whenDone(.failure(.notReady)) }
        committer.submit(command, whenDone: whenDone)
    }

    /// Flushes queued writes and closes the log.
    func shutdown() async {
        if let committer = committer.withLock({ $0 }) { await committer.stop() }
        lock.release()
    }
}

/// Startup found data it cannot use; the message names the file.
struct RecoveryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
