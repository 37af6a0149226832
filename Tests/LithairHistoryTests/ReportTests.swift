import LithairHistory
import Testing

@Suite("Keys, windows and reports")
struct ReportTests {
    @Test("keys are independent: the same timeline on two keys is fine")
    func keysAreIndependent() {
        #expect(
            check([
                write(1, "1", 0, 1, key: "a"),
                write(2, "2", 2, 3, key: "b"),
                read(3, sees: "1", 4, 5, key: "a"),
                read(3, sees: "2", 6, 7, key: "b"),
                read(3, sees: nil, 8, 9, key: "c"),
            ]).isLinearizable)
    }

    @Test("a violation on one key is reported with that key")
    func violationNamesItsKey() throws {
        var operations: [ClientOperation] = []
        for (index, key) in ["a", "b", "c", "d"].enumerated() {
            let base = UInt64(index * 100)
            operations.append(write(1, "\(key)1", base, base + 10, key: key))
            operations.append(write(2, "\(key)2", base + 20, base + 30, key: key))
            operations.append(read(3, sees: key == "c" ? "c1" : "\(key)2", base + 40, base + 50, key: key))
        }
        let found = try #require(violation(operations))
        #expect(found.key == "c")
        #expect(found.window.allSatisfy { $0.key == "c" })
    }

    @Test("the minimal window keeps the offending operations and drops the rest")
    func minimalWindow() throws {
        var operations: [ClientOperation] = []
        var time: UInt64 = 0
        // A long, healthy prefix with two overlapping clients...
        for round in 0..<50 {
            operations.append(write(1, "v\(round)", time, time + 3))
            operations.append(read(2, sees: round == 0 ? nil : "v\(round - 1)", time, time + 1))
            operations.append(read(3, sees: "v\(round)", time + 4, time + 5))
            time += 10
        }
        // ...then a stale read, then more healthy traffic.
        let stale = read(3, sees: "v48", time, time + 1)
        operations.append(stale)
        for round in 50..<60 {
            operations.append(write(1, "v\(round)", time + 2, time + 3))
            operations.append(read(2, sees: "v\(round)", time + 4, time + 5))
            time += 10
        }

        let found = try #require(violation(operations))
        #expect(found.window.count < operations.count)
        #expect(found.window.count <= 3)
        #expect(found.window.contains(stale))
        #expect(found.window.contains(write(1, "v48", 480, 483)))
        #expect(found.window.contains(write(1, "v49", 490, 493)))
        #expect(found.explanation.contains("saw \"v48\""))
        #expect(found.explanation.contains("wrote \"v49\""))
    }

    @Test("render prints one aligned line per operation, in invocation order")
    func rendering() {
        let text = render([
            read(2, sees: "3", 130, 140, version: 7),
            write(1, "5", 100, 120),
            cas(3, "5", "6", succeeded: nil, 135, nil),
            cas(4, nil, "9", succeeded: false, 136, 150),
            delete(5, 137, 160),
        ])
        #expect(
            text == """
                client 1  write("k", "5")          [100, 120]  ok
                client 2  read("k")                [130, 140]  -> "3" (version 7)
                client 3  cas("k", "5" -> "6")     [135, ∞)    unknown
                client 4  cas("k", absent -> "9")  [136, 150]  cas failed
                client 5  delete("k")              [137, 160]  ok
                """)
    }

    @Test("a malformed operation is reported as an invalid history")
    func invalidHistory() {
        let backwards = write(1, "1", 10, 5)
        guard case .invalidHistory(let operation, _) = check([backwards]) else {
            Issue.record("expected invalidHistory")
            return
        }
        #expect(operation == backwards)

        let mismatched = ClientOperation(
            clientID: 1, key: "k", kind: .read, invokedAt: 0, outcome: .ok(.casSucceeded, completedAt: 1))
        guard case .invalidHistory(let operation, _) = check([mismatched]) else {
            Issue.record("expected invalidHistory")
            return
        }
        #expect(operation == mismatched)
    }

    @Test("a search that runs out of budget reports the key as timed out")
    func timedOut() {
        // Many concurrent writes, each read afterwards in an order that forces backtracking.
        var operations: [ClientOperation] = (0..<14).map { write($0, "w\($0)", 0, 100) }
        operations.append(read(99, sees: "nobody", 101, 102))
        operations.append(write(98, "x", 0, 1000))
        let result = LinearizabilityChecker(stepBudget: 50).check(History(operations))
        guard case .timedOut(let keys, let statistics) = result else {
            Issue.record("expected timedOut, got \(result)")
            return
        }
        #expect(keys == ["k"])
        #expect(statistics.steps > 0)
    }

    @Test("a key too hard for the budget does not hide a quick failure on another key")
    func hardKeyDoesNotHideFailure() throws {
        var operations: [ClientOperation] = (0..<14).map { write($0, "w\($0)", 0, 100) }
        operations.append(read(99, sees: "nobody", 101, 102))
        operations.append(write(98, "x", 0, 1000))
        operations += [write(1, "1", 0, 1, key: "easy"), read(2, sees: nil, 2, 3, key: "easy")]
        let result = LinearizabilityChecker(stepBudget: 50).check(History(operations))
        guard case .notLinearizable(let key, _, _) = result else {
            Issue.record("expected a violation, got \(result)")
            return
        }
        #expect(key == "easy")
    }

    @Test("statistics count keys and relevant operations")
    func statistics() {
        let result = check([
            write(1, "1", 0, 1, key: "a"), read(2, sees: "1", 2, 3, key: "a"), read(2, sees: nil, 2, 3, key: "b"),
            read(3, sees: "x", 4, nil, key: "b"),
        ])
        guard case .linearizable(let statistics) = result else {
            Issue.record("expected linearizable, got \(result)")
            return
        }
        #expect(statistics.keys == 2)
        #expect(statistics.operations == 3)
    }
}

@Suite("Window soundness")
struct WindowSoundnessTests {
    @Test("shrinking never drops the write that made a kept compare-and-set fail")
    func failedCompareAndSetKeepsItsCause() throws {
        let stale = read(3, sees: "2", 8, 9)
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                write(1, "2", 2, 3),
                cas(2, "1", "3", succeeded: false, 4, 5),
                write(1, "4", 6, 7),
                stale,
            ]))
        #expect(found.window.contains(stale))
        #expect(found.explanation.contains("saw \"2\""))
    }

    @Test("shrinking never drops the delete that a kept read of absent saw")
    func readOfAbsentKeepsItsDelete() throws {
        let found = try #require(
            violation([
                write(1, "1", 0, 1),
                delete(1, 2, 3),
                read(2, sees: nil, 4, 5),
                write(1, "5", 6, 7),
                read(2, sees: nil, 8, 9),
            ]))
        #expect(found.window.contains(read(2, sees: nil, 8, 9)))
        #expect(found.window.contains(write(1, "5", 6, 7)))
    }
}
