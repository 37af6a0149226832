import LithairHistory
import Testing

@Suite("Randomized histories")
struct RandomizedHistoryTests {
    static let seeds: [UInt64] = Array(0..<150)

    @Test("jittered sequential histories are linearizable", arguments: seeds)
    func sequentialWithJitterPasses(seed: UInt64) {
        let generated = GeneratedHistory(seed: seed, count: 120, keys: 3, clients: 5, jitter: seed % 4 == 0 ? 0 : 25)
        let result = LinearizabilityChecker().check(History(generated.operations))
        #expect(result.isLinearizable, "seed \(seed): \(result)")
    }

    @Test("one read mutated to an impossible value is rejected, with that read in the window", arguments: seeds)
    func mutatedReadFails(seed: UInt64) throws {
        let generated = GeneratedHistory(seed: seed, count: 120, keys: 3, clients: 5, jitter: 25)
        let (history, mutatedRead, _) = try #require(generated.mutatingOneRead(seed: seed))
        let result = LinearizabilityChecker().check(History(history))
        guard case .notLinearizable(let key, let window, _) = result else {
            Issue.record("seed \(seed): expected a violation, got \(result)")
            return
        }
        #expect(key == mutatedRead.key)
        #expect(window.contains(mutatedRead), "seed \(seed):\n\(render(window))")
        #expect(window.count < history.filter { $0.key == key }.count)
        // The window is a genuine witness: checked on its own, it fails too.
        #expect(!LinearizabilityChecker().check(History(window)).isLinearizable)
    }

    @Test("most mutations use a stale value, the hard case, rather than one nobody wrote")
    func mutationsAreMostlyStale() {
        let stale = Self.seeds.filter { seed in
            GeneratedHistory(seed: seed, count: 120, keys: 3, clients: 5, jitter: 25).mutatingOneRead(seed: seed)?
                .isStale
                == true
        }
        #expect(stale.count * 2 > Self.seeds.count, "only \(stale.count) of \(Self.seeds.count) stale")
    }

    @Test("the order of operations in the input does not matter")
    func inputOrderIrrelevant() {
        let generated = GeneratedHistory(seed: 7, count: 200, keys: 2, clients: 4, jitter: 30)
        var random = SplitMix64(seed: 99)
        #expect(LinearizabilityChecker().check(History(generated.operations.shuffled(using: &random))).isLinearizable)
    }
}

@Suite("Agreement with a brute-force checker")
struct BruteForceAgreementTests {
    @Test("the search and the definition agree on small random histories", arguments: 0..<8)
    func agrees(batch: UInt64) {
        var linearizable = 0
        for seed in batch * 500..<(batch + 1) * 500 {
            let operations = BruteForce.randomHistory(seed: seed, count: 2 + Int(seed % 6))
            let expected = BruteForce.isLinearizable(operations)
            let result = LinearizabilityChecker().check(History(operations))
            #expect(result.isLinearizable == expected, "seed \(seed):\n\(render(operations))\n\(result)")
            if expected { linearizable += 1 }
            if case .notLinearizable(_, let window, _) = result {
                // The window must itself be a genuine counterexample.
                #expect(!BruteForce.isLinearizable(window), "seed \(seed): window\n\(render(window))")
            }
        }
        // Both verdicts are well represented, so the agreement means something.
        #expect(linearizable > 100 && linearizable < 400, "\(linearizable) of 500 linearizable")
    }
}

@Suite("Histories with many unknown outcomes")
struct ManyUnknownsTests {
    /// `count` timed-out writes nobody observed, interleaved with acknowledged writes and reads.
    static func history(count: Int, staleAtEnd: Bool) -> [ClientOperation] {
        var operations: [ClientOperation] = []
        for index in 0..<count {
            let time = UInt64(index * 10)
            operations.append(write(1, "lost\(index)", time, nil))
            operations.append(write(2, "w\(index)", time + 1, time + 2))
            operations.append(read(3, sees: "w\(index)", time + 3, time + 4))
        }
        let end = UInt64(count * 10)
        operations.append(read(3, sees: staleAtEnd ? "w0" : "w\(count - 1)", end, end + 1))
        return operations
    }

    @Test("thirty unobserved timed-out writes do not blow up the search")
    func manyUnknownWrites() throws {
        let checker = LinearizabilityChecker(stepBudget: 200_000, shrinkStepBudget: 1_000_000)
        #expect(checker.check(History(Self.history(count: 30, staleAtEnd: false))).isLinearizable)
        let result = checker.check(History(Self.history(count: 30, staleAtEnd: true)))
        guard case .notLinearizable(_, let window, _) = result else {
            Issue.record("expected a violation, got \(result)")
            return
        }
        #expect(window.contains(read(3, sees: "w0", 300, 301)))
    }
}
