import Foundation

extension CommitSettings {
    /// How long a linger waits for one more arrival before the batch goes out with what it has.
    static let quietWindow: TimeInterval = 0.000_2

    /// Group commit's wait for companions: when more than one write is queued already, load
    /// is concurrent, so keep collecting while arrivals keep coming (each within a short quiet
    /// window), until the batch is full, and never past the flush interval. One fsync (and in a
    /// cluster one replication round) then covers more writes; a lone write never waits.
    ///
    /// Call with `condition` locked; whoever queues work signals it.
    /// - Parameters:
    ///   - queuedWrites: the writes waiting to be batched.
    ///   - arrivals: everything waiting (writes and other inputs); a wake-up that brings
    ///     nothing new ends the linger.
    func lingerForCompanions(on condition: NSCondition, queuedWrites: () -> Int, arrivals: () -> Int) {
        guard flushInterval > .zero, queuedWrites() > 1 else { return }
        let hardDeadline = Date(timeIntervalSinceNow: flushInterval.seconds)
        var seen = arrivals()
        while queuedWrites() < maxBatch {
            let quietDeadline = min(hardDeadline, Date(timeIntervalSinceNow: Self.quietWindow))
            guard condition.wait(until: quietDeadline), Date() < hardDeadline, arrivals() > seen else { return }
            seen = arrivals()
        }
    }
}
