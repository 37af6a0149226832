import Foundation
import LithairStorage
import Logging
import Synchronization

/// Turns many concurrent writes into one log append and one `fdatasync`.
///
/// Writers enqueue and suspend; a dedicated flusher thread takes everything queued, assigns
/// log indexes, appends it with one `write()`, syncs once, applies the batch to the model
/// store and resumes each writer with its outcome. Writes arriving during a flush form the
/// next batch, so the batch size grows with the load and a lone write is never delayed.
///
/// The flusher is an OS thread rather than a task because `fdatasync` blocks: on a 2-core
/// machine the cooperative pool has two threads and must not lose one to the disk.
final class GroupCommitter: @unchecked Sendable, CommandSubmitting {
    private struct Pending {
        let event: ModelEvent
        let whenDone: @Sendable (Result<CommitResult, NodeError>) -> Void
    }

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var stopping = false
    private var stopped = false

    // Touched only by the flusher thread once started.
    private let log: SegmentedLog
    private let snapshots: SnapshotStore
    private var schedule: SnapshotSchedule
    private var term: UInt64
    private var flushCost = RecentFlushCost()
    private let snapshotWriter: SnapshotWriter
    /// Set by the snapshot writer once a snapshot is durable; the flusher compacts the log to it.
    private let compactable = Mutex<UInt64?>(nil)

    private let store: ModelStore
    private let settings: CommitSettings
    private let metrics: ServerMetrics
    private let logger: Logger
    private let clock: @Sendable () -> Int64

    init(
        log: SegmentedLog, snapshots: SnapshotStore, store: ModelStore, settings: CommitSettings,
        metrics: ServerMetrics, logger: Logger, clock: @escaping @Sendable () -> Int64 = GroupCommitter.nowMillis
    ) {
        self.log = log
        self.snapshots = snapshots
        self.schedule = SnapshotSchedule(
            every: settings.snapshotEvery, lastIndex: snapshots.latestMetadata()?.index ?? 0,
            lastBytes: (try? snapshots.latestFile()?.totalBytes) ?? 0)
        self.snapshotWriter = SnapshotWriter(snapshots: snapshots, metrics: metrics, logger: logger)
        self.term = max(1, log.term(at: log.lastIndex) ?? snapshots.latestMetadata()?.term ?? 1)
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Writes waiting for the flusher; tests use it to stage a burst before ``start()``.
    var queuedForTesting: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Starts the flusher thread. Writes submitted earlier wait in the queue until then.
    func start() {
        startNamedThread("lithair-flusher") { [self] in self.runFlusher() }
    }

    /// Flushes what is queued, then stops the flusher and closes the log. Writes submitted
    /// afterwards fail with ``NodeError/shuttingDown``.
    func stop() async {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
        while !condition.withLock({ stopped }) {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    func submit(_ command: ModelCommand, whenDone: @escaping @Sendable (Result<CommitResult, NodeError>) -> Void) {
        let event = ModelEvent(command: command, timestampMillis: clock())
        let accepted = condition.withLock {
            guard !stopping else { return false }
            queue.append(Pending(event: event, whenDone: whenDone))
            condition.signal()
            return true
        }
        if !accepted { whenDone(.failure(.shuttingDown)) }
    }

    private func runFlusher() {
        while let batch = nextBatch() {
            flush(batch)
        }
        log.close()
        condition.lock()
        stopped = true
        condition.unlock()
    }

    /// Waits for work; returns `nil` once stopping with an empty queue.
    private func nextBatch() -> [Pending]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !stopping { condition.wait() }
        if queue.isEmpty { return nil }
        if !stopping {
            settings.lingerForCompanions(
                on: condition, flushCost: flushCost.duration, queuedWrites: { queue.count },
                arrivals: { queue.count })
        }
        let count = min(queue.count, settings.maxBatch)
        let batch = Array(queue.prefix(count))
        queue.removeFirst(count)
        return batch
    }

    private func flush(_ batch: [Pending]) {
        let first = log.lastIndex + 1
        let entries = batch.enumerated().map { offset, pending in
            LogEntry(index: first + UInt64(offset), term: term, payload: ModelEventCodec.encode(pending.event))
        }
        do {
            try log.append(entries)
            let started = ContinuousClock.now
            try log.sync()
            let took = ContinuousClock.now - started
            flushCost.record(took)
            metrics.recordFsync(took, batchSize: batch.count)
        } catch {
            let failure = NodeError(storageError: error)
            logger.error(
                "log write failed; \(batch.count) writes rejected, nothing applied", metadata: ["error": "\(error)"])
            for pending in batch { pending.whenDone(.failure(failure)) }
            return
        }
        schedule.logged(entries.reduce(0) { $0 + $1.payload.count })
        let outcomes = store.mutate { state in
            zip(batch, entries).map { pending, entry in
                // The payload was encoded from the event just now, so its frame always reads.
                (try? state.apply(encoded: entry.payload, at: entry.index, decoded: pending.event))
                    ?? state.apply(pending.event, at: entry.index)
            }
        }
        for ((pending, entry), outcome) in zip(zip(batch, entries), outcomes) {
            pending.whenDone(.success(CommitResult(index: entry.index, outcome: outcome)))
        }
        if let index = compactable.withLock({ $0.take() }) {
            schedule.snapshotStored(bytes: snapshotWriter.lastStoredBytes ?? 0)
            do {
                try log.compact(through: index)
            } catch {
                logger.error("log compaction failed; the log is kept", metadata: ["error": "\(error)"])
            }
        }
        if schedule.isDue(at: log.lastIndex) { takeSnapshot() }
    }

    private func takeSnapshot() {
        let state = store.read { copy $0 }
        let index = state.appliedIndex
        let started = snapshotWriter.write(state, index: index, term: term) { [weak self] durable in
            if durable { self?.compactable.withLock { $0 = index } }
        }
        if started { schedule.snapshotStarted(at: index) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension NodeError {
    init(storageError error: any Error) {
        let message = "\(error)"
        if let storage = error as? StorageError, storage.kind == .noSpace {
            self = .storageFull(message)
        } else {
            self = .storageFailure(message)
        }
    }
}
