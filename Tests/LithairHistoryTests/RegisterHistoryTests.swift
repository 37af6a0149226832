import LithairHistory
import Testing

@Suite("Reads and writes")
struct RegisterHistoryTests {
    @Test("a sequential history is linearizable")
    func sequential() {
        #expect(
            check([
                read(1, sees: nil, 0, 1),
                write(1, "1", 2, 3),
                read(2, sees: "1", 4, 5),
                write(2, "2", 6, 7),
                read(1, sees: "2", 8, 9),
            ]).isLinearizable)
    }

    @Test("an empty history is linearizable")
    func empty() {
        #expect(check([]).isLinearizable)
    }

    @Test("reads overlapping two concurrent writes may see either, in either order of the writes")
    func concurrentWrites() {
        for (first, second) in [("1", "2"), ("2", "1"), ("1", "1"), ("2", "2")] {
            #expect(
                check([
                    write(1, "1", 0, 10),
                    write(2, "2", 0, 10),
                    read(3, sees: first, 11, 12),
                    read(4, sees: second, 13, 14),
                ]).isLinearizable == (first == second), "reads \(first) then \(second)")
        }
        // While the writes are still running, a read may see the new value, then another one.
        #expect(
            check([
                write(1, "1", 0, 10),
                write(2, "2", 0, 10),
                read(3, sees: "1", 2, 3),
                read(4, sees: "2", 4, 5),
                read(3, sees: "2", 11, 12),
            ]).isLinearizable)
    }

    @Test("a read after a completed write that returns the older value is rejected")
    func staleRead() throws {
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                write(1, "2", 2, 3),
                read(2, sees: "1", 4, 5),
            ]))
        #expect(found.key == "k")
        #expect(found.explanation.contains("saw \"1\""))
        #expect(found.explanation.contains("wrote \"2\""))
    }

    @Test("stale read after a leader change: B's read, invoked after A's acknowledged write, sees the old value")
    func staleReadAfterLeaderChange() throws {
        // Old leader served "old"; client A's write went through the new leader and was
        // acknowledged at 20; client B then read from the deposed leader.
        let found = try #require(
            violation([
                write(3, "old", 0, 5),
                read(2, sees: "old", 6, 8),
                write(1, "new", 10, 20),
                read(2, sees: "old", 21, 30),
            ]))
        #expect(found.window.contains(read(2, sees: "old", 21, 30)))
        #expect(found.window.contains(write(1, "new", 10, 20)))
        #expect(found.explanation.hasPrefix("read of \"k\" by client 2 saw \"old\""))
    }

    @Test("the same read, invoked before the write was acknowledged, is fine")
    func concurrentReadMaySeeOldValue() {
        #expect(
            check([
                write(3, "old", 0, 5),
                write(1, "new", 10, 20),
                read(2, sees: "old", 19, 30),
            ]).isLinearizable)
    }

    @Test("a read of a value never written is rejected")
    func neverWritten() throws {
        let found = try #require(violation([write(1, "1", 0, 1), read(2, sees: "7", 0, 5)]))
        #expect(found.explanation.contains("a value no operation on \"k\" wrote"))
        #expect(found.window == [read(2, sees: "7", 0, 5)])
    }

    @Test("a read that sees a newer value, then an older one, with no concurrent write, is rejected")
    func newThenOld() throws {
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                write(2, "2", 2, 20),
                read(3, sees: "2", 3, 4),
                read(4, sees: "1", 5, 6),
            ]))
        #expect(found.explanation.contains("already seen \"2\""))
    }

    @Test("a read may not see a value before its write began")
    func readFromTheFuture() throws {
        let found = try #require(violation([read(1, sees: "1", 0, 1), write(2, "1", 2, 3)]))
        #expect(found.explanation.contains("before any write of it began"))
    }

    @Test("touching intervals count as concurrent")
    func touchingIntervals() {
        #expect(check([write(1, "1", 0, 5), read(2, sees: nil, 5, 6)]).isLinearizable)
        #expect(!check([write(1, "1", 0, 5), read(2, sees: nil, 6, 7)]).isLinearizable)
    }

    @Test("deletes make the key absent")
    func deletes() {
        #expect(
            check([
                write(1, "1", 0, 1),
                delete(1, 2, 3),
                read(2, sees: nil, 4, 5),
                write(2, "2", 6, 7),
                read(1, sees: "2", 8, 9),
            ]).isLinearizable)
        let found = violation([write(1, "1", 0, 1), delete(1, 2, 3), read(2, sees: "1", 4, 5)])
        #expect(found?.explanation.hasSuffix("(client 1, done at 3) deleted it") == true)
        #expect(
            !check([write(1, "1", 0, 1), delete(1, 2, 3), read(2, sees: nil, 4, 5), read(2, sees: "1", 6, 7)])
                .isLinearizable)
        #expect(
            check([write(1, "1", 0, 1), delete(1, 2, 10), read(2, sees: "1", 4, 5), read(2, sees: nil, 6, 7)])
                .isLinearizable)
    }

    @Test("a failed operation had no effect and is ignored")
    func failedOperations() {
        #expect(
            check([
                write(1, "1", 0, 1),
                rejected(write(2, "2", 2, nil), at: 3),
                read(3, sees: "1", 4, 5),
            ]).isLinearizable)
        #expect(
            !check([write(1, "1", 0, 1), rejected(write(2, "2", 2, nil), at: 3), read(3, sees: "2", 4, 5)])
                .isLinearizable)
    }

    @Test("versions are carried for rendering but ignored by the model")
    func versionsIgnored() {
        #expect(check([write(1, "1", 0, 1), read(2, sees: "1", 2, 3, version: 99)]).isLinearizable)
    }
}
