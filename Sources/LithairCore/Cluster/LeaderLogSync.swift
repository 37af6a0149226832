import Foundation
import LithairConsensus
import LithairStorage

/// Syncs a leader's log on a thread of its own, so that the leader's turn (and its next
/// commit) does not wait behind its own `fdatasync`: the followers' round trip and the
/// leader's sync overlap, and the core counts the leader toward a commit once the sync is
/// reported (``RaftCore/persisted(through:)``).
///
/// A sync starts up to `delay` after the entries it covers were written, unless ``needed(_:)``
/// asks for it sooner: with every follower answering, their acknowledgements commit a write
/// without the leader's copy, and fewer leader syncs leave the shared disk to the followers'
/// (each of which a commit does wait for). A commit that only the leader's copy can make (a
/// follower down) starts the sync at once; one that it would make now, with a follower's
/// answer still to come, starts it within `grace` unless that answer commits first (a slow
/// follower then costs a commit `grace`, not `delay`). Only a sync covering many entries (a
/// busy leader) waits at all.
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
    /// When the queued sync the thread sleeps on is due (`nil` while it works or has nothing
    /// queued): a change that makes it due sooner is the only one that must wake the thread.
    private var sleepsUntil: ContinuousClock.Instant?
    /// Set by ``needed(_:)``: start the queued sync by then.
    private var startBy: ContinuousClock.Instant?
    private let delay: Duration
    private let grace: Duration
    /// Syncs covering fewer entries start at once.
    static let lazyFromEntries = 16
    private let onDone: @Sendable (Outcome) -> Void

    /// - Parameters:
    ///   - delay: longest a sync waits to start (and to merge with later ones).
    ///   - grace: how long a sync the next commit could use waits for a follower's answer.
    init(delay: Duration = .zero, grace: Duration = .milliseconds(1), onDone: @escaping @Sendable (Outcome) -> Void) {
        self.delay = delay
        self.grace = min(grace, delay)
        self.onDone = onDone
        startNamedThread("lithair-logsync") { [self] in run() }
    }

    /// What the next commit needs of the leader's copy, as of the turn that just ended.
    func needed(_ need: LeaderSyncNeed) {
        guard delay > .zero else { return }
        condition.withLock {
            switch need {
            case .none:
                startBy = nil
            case .soon:
                let by = ContinuousClock.now + grace
                guard startBy.map({ by < $0 }) ?? true else { return }
                startBy = by
                wakeIfSleepingPast(by)
            case .now:
                startBy = .now
                wakeIfSleepingPast(.now)
            }
        }
    }

    /// Wakes the sync thread if it sleeps on a queued sync past `instant`. With nothing queued
    /// there is nothing to start sooner: the next ``submit(_:through:entries:)`` wakes it.
    /// Called with `condition` held.
    private func wakeIfSleepingPast(_ instant: ContinuousClock.Instant) {
        guard queued != nil, let sleepsUntil, instant < sleepsUntil else { return }
        condition.signal()
    }

    /// Makes `sync` (the log written through `through`, `entries` more of them) durable in
    /// the background.
    func submit(_ sync: DeferredSync, through: LogPosition, entries: Int) {
        condition.withLock {
            // A sync merged into one already queued is due no sooner than that one.
            if queued == nil { condition.signal() }
            queued =
                queued.map {
                    Queued(
                        sync: $0.sync.merged(with: sync), through: through, entries: $0.entries + entries,
                        since: $0.since)
                } ?? Queued(sync: sync, through: through, entries: entries, since: .now)
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
                startBy = nil
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
                defer { sleepsUntil = nil }
                while !stopping {
                    guard let waiting = queued else {
                        sleepsUntil = nil
                        condition.wait()
                        continue
                    }
                    // Few entries: writes are few, the disk is not contended, and a commit
                    // that waits for the second follower takes longer than one with the
                    // leader's copy (its answer crosses two more thread wake-ups).
                    let lazy = waiting.entries >= Self.lazyFromEntries
                    let due = lazy ? min(waiting.since + delay, startBy ?? waiting.since + delay) : waiting.since
                    if ContinuousClock.now >= due { break }
                    sleepsUntil = due
                    _ = condition.wait(until: Date(timeIntervalSinceNow: (due - ContinuousClock.now).seconds))
                }
                defer {
                    queued = nil
                    startBy = nil
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
