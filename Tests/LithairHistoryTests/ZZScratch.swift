import LithairHistory
import Testing

@Test func zzScratchBigSweep() {
    var mismatches = 0
    var linearizable = 0
    for seed: UInt64 in 100_000..<140_000 {
        var ops = BruteForce.randomHistory(seed: seed, count: 3 + Int(seed % 6))
        // More unknowns: flip every third completed non-read to unknown.
        for i in ops.indices where i % 3 == Int(seed % 3) && ops[i].kind != .read { ops[i].outcome = .unknown }
        let expected = BruteForce.isLinearizable(ops)
        if expected { linearizable += 1 }
        if LinearizabilityChecker().check(History(ops)).isLinearizable != expected {
            mismatches += 1
            if mismatches < 3 { print("MISMATCH seed \(seed) expected \(expected)\n\(render(ops))") }
        }
    }
    print("SWEEP mismatches=\(mismatches) linearizable=\(linearizable)/40000")
    #expect(mismatches == 0)
}
