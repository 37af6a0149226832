import Foundation
import LithairConsensus
import LithairStorage

/// Syncs a leader's log on a thread of its own, so that the leader's turn (and its next
/// commit) does not wait behind its own `fdatasync`: the followers' round trip and the
/// leader's sync overlap, and the core counts the leader toward a commit once the sync is
/// reported (``RaftCore/persisted(through:)``).
///
/// A sync starts up to `delay` after the entries it covers were written, unless
/// ``expedite()`` asks for it sooner: with both followers answering, their acknowledgements
/// commit a write without the leader's copy, and fewer leader syncs leave the shared disk to
/// the followers' (each of which a commit does wait for). A commit that needs the leader's
/// copy (a follower down) asks for the sync at once.
///
/// One sync runs at a time; syncs submitted meanwhile merge into the next one. Whoever owns
/// the log calls ``waitUntilIdle()`` before anything that needs every written entry durable
/// (a follower's acknowledgement) or that drops or closes segment files.
final class LeaderLogSync: @unchecked Sendable {
    /// What one sync ended with, handed to `onDone` on the sync thread.
    struct Outcome: @unchecked Sendable {
        var sync: DeferredSync
        var through: LogPosition
        /// Entries written since the previous sync.
        var entries: Int
        var duration: Duration
        var error: (any Error)?
    }

    private let condition = NSCondition()
    private var queued: Queued?
    private struct Queued {
        var sync: DeferredSync
        var through: LogPosition
        var entries: Int
        /// When the first of the merged syncs was submitted.
        var since: ContinuousClock.Instant
    }
    private var running = false
    private var stopping = false
    private var expedited = false
    private let delay: Duration
    private let onDone: @Sendable (Outcome) -> Void

    /// - Parameter delay: longest a sync waits to start (and to merge with later ones).
    init(delay: Duration = .zero, onDone: @escaping @Sendable (Outcome) -> Void) {
        self.delay = delay
        self.onDone = onDone
        startNamedThread("lithair-logsync") { [self] in run() }
    }

    /// Starts the sync queued now (and any submitted before it starts) without waiting out
    /// the delay.
    func expedite() {
        condition.withLock {
            guard queued != nil, !expedited else { return }
            expedited = true
            condition.signal()
        }
    }

    /// Makes `sync` (the log written through `through`, `entries` more of them) durable in
    /// the background.
    func submit(_ sync: DeferredSync, through: LogPosition, entries: Int) {
        condition.withLock {
            queued =
                queued.map {
                    Queued(
                        sync: $0.sync.merged(with: sync), through: through, entries: $0.entries + entries,
                        since: $0.since)
                } ?? Queued(sync: sync, through: through, entries: entries, since: .now)
            condition.signal()
        }
    }

    /// Returns once no sync is queued or running. A sync still queued is performed on the
    /// calling thread: the caller may be this class's own thread, running a turn of the node
    /// from `onDone`, which must not wait for itself.
    func waitUntilIdle() {
        condition.lock()
        while true {
            if running {
                condition.wait()
            } else if let next = queued {
                queued = nil
                expedited = false
                running = true
                condition.unlock()
                perform(next)
                condition.lock()
            } else {
                break
            }
        }
        condition.unlock()
    }

    /// Ends the thread after the syncs submitted so far.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
        }
    }

    private func run() {
        while true {
            let next = condition.withLock { () -> Queued? in
                while !stopping {
                    guard let waiting = queued else {
                        condition.wait()
                        continue
                    }
                    let due = waiting.since + delay
                    if expedited || ContinuousClock.now >= due { break }
                    _ = condition.wait(until: Date(timeIntervalSinceNow: (due - ContinuousClock.now).seconds))
                }
                defer {
                    queued = nil
                    expedited = false
                }
                running = queued != nil
                return queued
            }
            guard let next else { return }
            perform(next)
        }
    }

    /// Syncs `next` (``running`` is set), clears ``running``, then reports: the report may run
    /// a turn of the node on this thread, and that turn may call ``waitUntilIdle()``.
    private func perform(_ next: Queued) {
        let started = ContinuousClock.now
        var failure: (any Error)?
        do { try next.sync.perform() } catch { failure = error }
        let outcome = Outcome(
            sync: next.sync, through: next.through, entries: next.entries, duration: ContinuousClock.now - started,
            error: failure)
        condition.withLock {
            running = false
            condition.broadcast()
        }
        onDone(outcome)
    }
}
