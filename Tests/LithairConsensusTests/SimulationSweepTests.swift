import LithairSimulation
import Testing

/// The CI seed sweep: thousands of randomized fault schedules (3- and 5-node clusters,
/// crashes, partitions, lossy networks) with every safety property checked after each step.
/// A failure names the seed and the command that replays it with a full trace.
@Suite("Simulated seed sweep")
struct SimulationSweepTests {
    static let seedsPerChunk: UInt64 = 250
    static let chunks: [UInt64] = Array(0..<8)  // 8 × 250 = 2,000 seeds

    @Test("2,000 seeds, zero violations", arguments: chunks)
    func sweep(chunk: UInt64) {
        let start = chunk * Self.seedsPerChunk
        var nodeCounts: Set<Int> = []
        for seed in start..<(start + Self.seedsPerChunk) {
            let report = Simulation.run(SimulationOptions(seed: seed))
            nodeCounts.insert(report.nodeCount)
            #expect(
                report.passed, "seed \(seed) (\(report.setup)): \(report.violations) — replay: \(report.replayCommand)")
            if !report.passed { return }
        }
        #expect(nodeCounts == [3, 5], "each chunk mixes 3- and 5-node clusters")
    }
}
