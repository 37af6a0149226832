import Testing

@testable import LithairCore

@Suite("When snapshots are due")
struct SnapshotScheduleTests {
    @Test("with no snapshot yet, or a small one, a snapshot is due every `every` events")
    func countRuleAlone() {
        var schedule = SnapshotSchedule(every: 100)
        #expect(!schedule.isDue(at: 99))
        #expect(schedule.isDue(at: 100))
        schedule.snapshotStarted(at: 100)
        schedule.snapshotStored(bytes: 1_000)
        schedule.logged(1_000)
        #expect(!schedule.isDue(at: 199))
        #expect(schedule.isDue(at: 200))
    }

    @Test("after a large snapshot, the next waits until as many log bytes were written")
    func expansionRule() {
        var schedule = SnapshotSchedule(every: 100, lastIndex: 1_000, lastBytes: 50_000)
        schedule.logged(30_000)
        #expect(!schedule.isDue(at: 1_100), "100 events but only 30 kB of log against a 50 kB snapshot")
        schedule.logged(20_000)
        #expect(schedule.isDue(at: 1_300))
        schedule.snapshotStarted(at: 1_300)
        #expect(schedule.loggedBytes == 0)
        #expect(!schedule.isDue(at: 1_399))
    }

    @Test("however large the last snapshot, one is due after ten times `every` events")
    func boundedWait() {
        var schedule = SnapshotSchedule(every: 100, lastIndex: 0, lastBytes: 1 << 30)
        schedule.logged(1_000)
        #expect(!schedule.isDue(at: 999))
        #expect(schedule.isDue(at: 1_000), "the log kept in memory stays bounded")
        let huge = SnapshotSchedule(every: .max, lastIndex: 0, lastBytes: 1)
        #expect(!huge.isDue(at: .max - 1), "no overflow for an interval too large to multiply")
    }

    @Test("an index behind the last snapshot (one installed from the leader) is never due")
    func behindTheLastSnapshot() {
        var schedule = SnapshotSchedule(every: 10)
        schedule.snapshotStarted(at: 5_000)
        schedule.logged(1 << 20)
        #expect(!schedule.isDue(at: 4_000))
        #expect(schedule.isDue(at: 5_010))
    }

    @Test("a node keeps taking snapshots as its state grows, further apart than every `every` events")
    func nodeSpacesSnapshotsAsTheStateGrows() async throws {
        let server = try await makeServer(directory: TemporaryDirectory().path) { $0.snapshotEvery(10) }
        try await withClient(server) { client in
            for index in 0..<300 {
                let name = String(repeating: "n", count: 200)
                try await client.send(
                    .post, "/api/products", json: #"{"id":"p\#(index)","name":"\#(name)","price":1}"#)
            }
            let metrics = try await client.send(.get, "/metrics").text
            let line = try #require(metrics.split(separator: "\n").first { $0.hasPrefix("lithair_snapshots_total") })
            let taken = try #require(Double(line.split(separator: " ").last ?? ""))
            // Every 10 events would be up to 30 (29 measured); each snapshot here is about as
            // large as the log since the one before, so they come at roughly 2.5 times the
            // item count of the last (4 measured).
            #expect(taken >= 2, "snapshots continue after the first")
            #expect(taken <= 12, "the log must grow as large as the last snapshot first")
        }
    }
}
