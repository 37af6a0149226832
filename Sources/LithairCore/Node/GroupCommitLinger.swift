import Foundation

extension CommitSettings {
    /// How long a linger waits for one more arrival before the batch goes out with what it has.
    static let quietWindow: TimeInterval = 0.000_2

    /// Group commit's wait for companions: when more than one write is queued already, load
    /// is concurrent, so keep collecting while arrivals keep coming (each within a short quiet
    /// window), until the batch is full, for no longer than a flush takes (`flushCost`) and
    /// never past the flush interval. One fsync (and in a cluster one replication round) then
    /// covers more writes; a lone write never waits.
    ///
    /// Waiting longer than a flush takes leaves the disk idle for longer than one more flush
    /// would cost, and every write in the batch waits with it: on this project's machines,
    /// lingering up to the full 5 ms made a single node 1.14–1.34× slower at 64 connections and
    /// a 3-node cluster 1.15–1.19× slower at 16. On a disk whose fsync takes 5 ms, the full
    /// interval is used and batches grow accordingly.
    ///
    /// Call with `condition` locked; whoever queues work signals it.
    /// - Parameters:
    ///   - flushCost: what a flush costs now (``RecentFlushCost``); zero means no wait.
    ///   - queuedWrites: the writes waiting to be batched.
    ///   - arrivals: everything waiting (writes and other inputs); a wake-up that brings
    ///     nothing new ends the linger.
    ///   - interrupted: whether something that must not wait has arrived (on a Raft leader, a
    ///     follower's answer: holding it back holds back the commit of the writes before).
    func lingerForCompanions(
        on condition: NSCondition, flushCost: Duration, queuedWrites: () -> Int, arrivals: () -> Int,
        interrupted: () -> Bool = { false }
    ) {
        let limit = min(flushInterval, flushCost)
        guard limit > .zero, queuedWrites() > 1, !interrupted() else { return }
        let hardDeadline = Date(timeIntervalSinceNow: limit.seconds)
        var seen = arrivals()
        while queuedWrites() < maxBatch, !interrupted() {
            let quietDeadline = min(hardDeadline, Date(timeIntervalSinceNow: Self.quietWindow))
            guard condition.wait(until: quietDeadline), Date() < hardDeadline, arrivals() > seen else { return }
            seen = arrivals()
        }
    }
}

/// A running average of how long the log's flushes (`fdatasync`) take, kept by the thread
/// that flushes: how long group commit may wait for companions.
struct RecentFlushCost {
    /// The average of recent flushes; zero until one is recorded.
    private(set) var duration: Duration = .zero

    /// Folds in one flush's duration (each new one weighs a quarter).
    mutating func record(_ flush: Duration) {
        duration = duration == .zero ? flush : (duration * 3 + flush) / 4
    }
}
