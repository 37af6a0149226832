import Testing

@testable import LithairCore

@Suite struct PromiseTests {
    @Test func anUnansweredPromiseTimesOut() async {
        let promise = Promise<Int>()
        let started = ContinuousClock.now
        await #expect(throws: NodeError.timedOut) { try await promise.value(timeout: .milliseconds(50)) }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(50) && waited < .seconds(5))
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
