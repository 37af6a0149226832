import Foundation
import LithairStorage
import Logging
import Synchronization

/// Writes snapshots on a background thread, so taking one never stalls the write path.
///
/// The caller hands over a copy of the model state; `ModelState` is a value type whose
/// collections are copy-on-write, so the copy costs nothing until the next write (which then
/// copies the one collection it touches, once). Encoding and the fsync of a snapshot that
/// may be many megabytes happen here; the owner of the log compacts it when told the
/// snapshot is durable.
final class SnapshotWriter: Sendable {
    private let snapshots: SnapshotStore
    private let metrics: ServerMetrics
    private let logger: Logger
    private let queue = DispatchQueue(label: "lithair-snapshot-writer")
    private let busy = Mutex(false)

    init(snapshots: SnapshotStore, metrics: ServerMetrics, logger: Logger) {
        self.snapshots = snapshots
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts writing `state` as the snapshot at `index`/`term`, unless one is being written.
    ///
    /// - Returns: `false` if a snapshot is already in progress (the caller tries again later).
    /// - Parameter completion: called on the writer's thread with whether the snapshot is durable.
    @discardableResult
    func write(
        _ state: ModelState, index: UInt64, term: UInt64, completion: @escaping @Sendable (Bool) -> Void
    ) -> Bool {
        let started = busy.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard started else { return false }
        queue.async { [self] in
            let clock = ContinuousClock.now
            var durable = false
            do {
                let bytes = ModelSnapshotCodec.encode(state)
                try snapshots.save(metadata: SnapshotMetadata(index: index, term: term), data: bytes)
                metrics.recordSnapshot(ContinuousClock.now - clock)
                logger.info("snapshot taken", metadata: ["index": "\(index)", "bytes": "\(bytes.count)"])
                durable = true
            } catch {
                logger.error("snapshot failed; the log is kept", metadata: ["error": "\(error)"])
            }
            busy.withLock { $0 = false }
            completion(durable)
        }
        return true
    }

    /// Whether a snapshot is being written now.
    var isBusy: Bool { busy.withLock { $0 } }
}
