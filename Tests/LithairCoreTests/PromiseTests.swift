import Synchronization
import Testing

@testable import LithairCore

@Suite struct PromiseTests {
    @Test func anUnansweredPromiseTimesOut() async {
        let promise = Promise<Int>()
        let started = ContinuousClock.now
        await #expect(throws: NodeError.timedOut) { try await promise.value(timeout: .milliseconds(50)) }
        // Never early. (No upper bound: a loaded test run can delay the waiting task itself.)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test func anAnswerBeforeTheTimeoutWinsAndTheLateTimeoutChangesNothing() async throws {
        let promise = Promise<Int>()
        promise.succeed(7)
        #expect(try await promise.value(timeout: .milliseconds(30)) == 7)
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await promise.value(timeout: .seconds(1)) == 7)
    }

    @Test func aPendingTimeoutDoesNotKeepAnAnsweredPromiseAlive() async throws {
        weak var released: Promise<Int>?
        do {
            let promise = Promise<Int>()
            released = promise
            promise.succeed(1)
            _ = try await promise.value(timeout: .seconds(60))
        }
        #expect(released == nil)
    }

    @Test func manyTimeoutsFireInOneSweep() async {
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<500 {
                group.addTask {
                    do {
                        _ = try await Promise<Int>().value(timeout: .milliseconds(20))
                        return false
                    } catch {
                        return (error as? NodeError) == .timedOut
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.count == 500 && outcomes.allSatisfy { $0 })
    }
}

@Suite struct TimeoutSweeperTests {
    /// Fires `count` actions due after `delay` and waits until all ran (giving up after two
    /// minutes, so that a sweeper that never fires fails instead of hanging the run).
    private func fire(_ count: Int, after delay: Duration, on sweeper: TimeoutSweeper) async throws -> Duration {
        let fired = Mutex(0)
        let started = ContinuousClock.now
        for _ in 0..<count { sweeper.schedule(after: delay) { fired.withLock { $0 += 1 } } }
        while fired.withLock({ $0 }) < count {
            try #require(
                ContinuousClock.now - started < .seconds(120), "only \(fired.withLock { $0 }) of \(count) fired")
            try await Task.sleep(for: .milliseconds(2))
        }
        return ContinuousClock.now - started
    }

    @Test func actionsRunAfterTheirDelayAndAgainAfterAnIdlePeriod() async throws {
        let sweeper = TimeoutSweeper(resolution: .milliseconds(10))
        #expect(try await fire(50, after: .milliseconds(30), on: sweeper) >= .milliseconds(30))
        // Idle: the sweeper's thread sleeps until the next timeout is scheduled.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await fire(50, after: .milliseconds(30), on: sweeper) >= .milliseconds(30))
        // A delay shorter than the resolution still runs.
        _ = try await fire(1, after: .zero, on: sweeper)
    }
}
