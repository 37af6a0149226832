import LithairHistory
import Testing

@Suite("Compare-and-set")
struct CompareAndSetTests {
    @Test("successful and failed compare-and-sets consistent with the register")
    func consistent() {
        #expect(
            check([
                write(1, "1", 0, 1),
                cas(1, "1", "2", succeeded: true, 2, 3),
                cas(2, "1", "3", succeeded: false, 4, 5),
                read(3, sees: "2", 6, 7),
                cas(3, nil, "4", succeeded: false, 8, 9),
            ]).isLinearizable)
        #expect(check([cas(1, nil, "1", succeeded: true, 0, 1), read(2, sees: "1", 2, 3)]).isLinearizable)
    }

    @Test("a compare-and-set that failed although the register held the expected value is rejected")
    func failedWhileMatching() throws {
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                cas(2, "1", "2", succeeded: false, 2, 3),
                read(3, sees: "1", 4, 5),
            ]))
        #expect(found.explanation.contains("expecting \"1\" failed"))
    }

    @Test("a failed compare-and-set is explained by a concurrent write")
    func failedExplainedByConcurrentWrite() {
        #expect(
            check([
                write(1, "1", 0, 1),
                cas(2, "1", "2", succeeded: false, 2, 5),
                write(3, "3", 3, 4),
                read(3, sees: "3", 6, 7),
            ]).isLinearizable)
    }

    @Test("two compare-and-sets expecting the same value cannot both succeed (lost update)")
    func lostUpdate() {
        #expect(
            !check([
                write(1, "1", 0, 1),
                cas(2, "1", "2", succeeded: true, 2, 10),
                cas(3, "1", "3", succeeded: true, 2, 10),
            ]).isLinearizable)
        #expect(
            check([
                write(1, "1", 0, 1),
                cas(2, "1", "2", succeeded: true, 2, 10),
                cas(3, "1", "3", succeeded: false, 2, 10),
                read(1, sees: "2", 11, 12),
            ]).isLinearizable)
    }

    @Test("a successful compare-and-set of a value that was no longer current is rejected")
    func succeededOnStaleValue() throws {
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                write(1, "2", 2, 3),
                cas(2, "1", "3", succeeded: true, 4, 5),
            ]))
        #expect(found.explanation.contains("compare-and-set of \"k\" by client 2 saw \"1\""))
    }
}
