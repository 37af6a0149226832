import LithairHistory
import Testing

@Suite("Unknown outcomes")
struct UnknownOutcomeTests {
    @Test("a timed-out write explains a later read of its value")
    func happened() {
        #expect(
            check([
                write(1, "1", 0, 1),
                write(2, "2", 2, nil),
                read(3, sees: "2", 100, 101),
                read(3, sees: "2", 102, 103),
            ]).isLinearizable)
    }

    @Test("a timed-out write may also never have happened")
    func neverHappened() {
        #expect(
            check([
                write(1, "1", 0, 1),
                write(2, "2", 2, nil),
                read(3, sees: "1", 100, 101),
            ]).isLinearizable)
    }

    @Test("a timed-out write may take effect long after it was sent")
    func tookEffectLate() {
        #expect(
            check([
                write(1, "1", 0, 1),
                write(2, "2", 2, nil),
                read(3, sees: "1", 100, 101),
                read(3, sees: "2", 200, 201),
            ]).isLinearizable)
    }

    @Test("once a timed-out write was seen, a read of the older value with no concurrent write is rejected")
    func seenThenOlder() throws {
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                write(2, "2", 2, nil),
                read(3, sees: "2", 100, 101),
                read(3, sees: "1", 102, 103),
            ]))
        #expect(found.window.contains(read(3, sees: "1", 102, 103)))
    }

    @Test("a timed-out write cannot be seen before it was sent")
    func notBeforeInvocation() {
        #expect(!check([read(1, sees: "2", 0, 1), write(2, "2", 2, nil)]).isLinearizable)
    }

    @Test("a timed-out compare-and-set may or may not apply")
    func unknownCompareAndSet() {
        let base = [write(1, "1", 0, 1), cas(2, "1", "2", succeeded: nil, 2, nil)]
        #expect(check(base + [read(3, sees: "1", 10, 11)]).isLinearizable)
        #expect(check(base + [read(3, sees: "2", 10, 11)]).isLinearizable)
        #expect(!check(base + [read(3, sees: "2", 10, 11), read(3, sees: "1", 12, 13)]).isLinearizable)
        // It cannot apply if the register never held its expected value.
        #expect(
            !check([write(1, "1", 0, 1), cas(2, "9", "2", succeeded: nil, 2, nil), read(3, sees: "2", 10, 11)])
                .isLinearizable)
    }

    @Test("a timed-out delete may or may not apply")
    func unknownDelete() {
        let base = [write(1, "1", 0, 1), delete(2, 2, nil)]
        #expect(check(base + [read(3, sees: "1", 10, 11), read(3, sees: nil, 12, 13)]).isLinearizable)
        #expect(!check(base + [read(3, sees: nil, 10, 11), read(3, sees: "1", 12, 13)]).isLinearizable)
    }

    @Test("reads with an unknown outcome constrain nothing")
    func unknownRead() {
        #expect(check([write(1, "1", 0, 1), read(2, sees: "junk", 2, nil)]).isLinearizable)
    }
}
