import Foundation
import LithairConsensus
import LithairStorage
import Synchronization
import Testing

@testable import LithairCore

@Suite("Leader log sync thread")
struct LeaderLogSyncTests {
    /// A log in a fresh directory with `count` more entries appended, and their deferred sync.
    private final class Log: @unchecked Sendable {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lithair-logsync-\(UUID())").path
        let log: SegmentedLog
        init() throws { log = try SegmentedLog(directory: directory) }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func written(_ count: Int) throws -> (DeferredSync, LogPosition) {
            let first = log.lastIndex + 1
            try log.append((first..<first + UInt64(count)).map { LogEntry(index: $0, term: 1, payload: [1, 2, 3]) })
            return (try #require(try log.deferSync()), LogPosition(index: log.lastIndex, term: 1))
        }
    }

    @Test("each submitted sync is performed off the caller's thread and reported with what it covers")
    func reportsEachSync() async throws {
        let log = try Log()
        let outcomes = Mutex<[LeaderLogSync.Outcome]>([])
        let sync = LeaderLogSync { outcome in outcomes.withLock { $0.append(outcome) } }
        defer { sync.stop() }
        let (first, position) = try log.written(5)
        sync.submit(first, through: position, entries: 5)
        sync.waitUntilIdle()  // the sync is done; its report follows
        for _ in 0..<300 where outcomes.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(10)) }
        let reported = outcomes.withLock { $0 }
        #expect(reported.count == 1)
        #expect(reported.first?.through == position)
        #expect(reported.first?.entries == 5)
        #expect(reported.first?.error == nil)
    }

    @Test("a report that waits for the syncs (a turn of the node run on the sync thread) does not wait for itself")
    func reportMayWaitUntilIdle() async throws {
        let log = try Log()
        let (second, secondPosition) = try log.written(3)
        let reported = Mutex<[UInt64]>([])
        let finished = DispatchSemaphore(value: 0)
        let box = Mutex<LeaderLogSync?>(nil)
        let sync = LeaderLogSync { outcome in
            reported.withLock { $0.append(outcome.through.index) }
            guard outcome.through.index < secondPosition.index, let sync = box.withLock({ $0 }) else { return }
            // Another sync queued meanwhile, then a turn that needs everything durable.
            sync.submit(second, through: secondPosition, entries: 3)
            sync.waitUntilIdle()
            finished.signal()
        }
        box.withLock { $0 = sync }
        defer { sync.stop() }
        let firstLog = try Log()
        let (first, firstPosition) = try firstLog.written(2)
        sync.submit(first, through: firstPosition, entries: 2)
        #expect(finished.wait(timeout: .now() + 5) == .success, "the sync thread deadlocked on itself")
        #expect(reported.withLock { $0 } == [firstPosition.index, secondPosition.index])
    }

    @Test("with a delay, a sync of many entries waits for it unless the next commit needs it, or someone waits for it")
    func delayedUntilNeeded() async throws {
        let log = try Log()
        let reported = Mutex<[UInt64]>([])
        let sync = LeaderLogSync(delay: .seconds(30), grace: .milliseconds(200)) { outcome in
            reported.withLock { $0.append(outcome.through.index) }
        }
        defer { sync.stop() }
        let many = LeaderLogSync.lazyFromEntries
        func waitForReports(_ count: Int) async throws {
            for _ in 0..<300 where reported.withLock({ $0.count }) < count {
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        let (first, firstPosition) = try log.written(2)
        sync.submit(first, through: firstPosition, entries: many)
        sync.needed(.none)
        try await Task.sleep(for: .milliseconds(100))
        #expect(reported.withLock { $0 }.isEmpty, "still within its delay")
        sync.needed(.now)
        try await waitForReports(1)
        #expect(reported.withLock { $0 } == [firstPosition.index])

        // Needed soon: within the grace, unless a later turn finds it no longer needed.
        let (second, secondPosition) = try log.written(2)
        sync.submit(second, through: secondPosition, entries: many)
        sync.needed(.soon)
        sync.needed(.none)
        try await Task.sleep(for: .milliseconds(400))
        #expect(reported.withLock { $0.count } == 1, "a follower's answer made it unnecessary")
        sync.needed(.soon)
        try await waitForReports(2)
        #expect(reported.withLock { $0 } == [firstPosition.index, secondPosition.index])

        let (third, thirdPosition) = try log.written(2)
        sync.submit(third, through: thirdPosition, entries: many)
        sync.waitUntilIdle()
        #expect(reported.withLock { $0.last } == thirdPosition.index, "performed by the waiter")

        // A sync of a few entries (a leader with few writes) does not wait.
        let (fourth, fourthPosition) = try log.written(2)
        sync.submit(fourth, through: fourthPosition, entries: 2)
        try await waitForReports(4)
        #expect(reported.withLock { $0.last } == fourthPosition.index)
    }
}
