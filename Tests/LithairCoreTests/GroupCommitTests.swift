import Foundation
import Testing

@testable import LithairCore
@testable import LithairStorage

@Suite("Group commit")
struct GroupCommitTests {
    @Test("writes queued together share one log append and one fsync")
    func concurrentWritesShareAnFsync() async throws {
        let directory = TemporaryDirectory()
        let schemas = [ModelSchema(TestProduct.self, basePath: "/api/products")]
        let store = ModelStore(schemas: schemas)
        let log = try SegmentedLog(directory: directory.path + "/log")
        var settings = CommitSettings()
        settings.maxBatch = 100
        let committer = GroupCommitter(
            log: log, snapshots: try SnapshotStore(directory: directory.path + "/snapshots"), store: store,
            settings: settings, metrics: ServerMetrics(), logger: quietLogger())

        // 250 writers enqueue before the flusher starts, as a burst arriving during a flush would.
        let results = try await withThrowingTaskGroup(of: CommitResult.self) { group in
            for writer in 0..<250 {
                group.addTask {
                    try await committer.submit(
                        .create(
                            collection: "products", id: "p\(writer)",
                            body: .object(["name": .string("n"), "price": .int(1)])))
                }
            }
            while committer.queuedForTesting < 250 {
                try await Task.sleep(for: .milliseconds(1))
            }
            committer.start()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        await committer.stop()

        #expect(results.count == 250)
        #expect(Set(results.map(\.index)) == Set(1...250))
        #expect(store.read { $0.collection("products")?.count } == 250)
        // ceil(250 / maxBatch) appends, each made durable by exactly one sync.
        #expect(log.stats.syncs == 3)
        #expect(log.stats.writeCalls == 3)
    }

    /// Whether a linger with `queued` writes waiting goes on to collect companions (it then
    /// counts the arrivals; nothing arrives here, so its first quiet window ends it). No clock
    /// is read by the test.
    private func collects(
        flushCost: Duration, queued: Int, interval: Duration = .seconds(60), interrupted: Bool = false
    ) -> Bool {
        var settings = CommitSettings()
        settings.flushInterval = interval
        let condition = NSCondition()
        var looked = false
        condition.lock()
        settings.lingerForCompanions(
            on: condition, flushCost: flushCost, queuedWrites: { queued },
            arrivals: {
                looked = true
                return queued
            }, interrupted: { interrupted })
        condition.unlock()
        return looked
    }

    @Test("the linger waits only when writes are concurrent and a flush has been timed")
    func lingerWaitsOnlyWhenItCanPayOff() {
        #expect(collects(flushCost: .seconds(60), queued: 5))
        // No flush measured yet, a lone write, no interval: no wait at all.
        #expect(!collects(flushCost: .zero, queued: 5))
        #expect(!collects(flushCost: .seconds(60), queued: 1))
        #expect(!collects(flushCost: .seconds(60), queued: 5, interval: .zero))
        // A follower's answer waiting (on a leader) sends the batch at once.
        #expect(!collects(flushCost: .seconds(60), queued: 5, interrupted: true))
    }

    @Test("the flush cost is a running average of recent flushes")
    func flushCostAverages() {
        var cost = RecentFlushCost()
        #expect(cost.duration == .zero)
        cost.record(.milliseconds(4))
        #expect(cost.duration == .milliseconds(4))
        cost.record(.milliseconds(8))
        #expect(cost.duration == .milliseconds(5))
    }
}
