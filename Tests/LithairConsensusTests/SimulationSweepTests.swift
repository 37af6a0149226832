import LithairSimulation
import Testing

/// The CI seed sweep: thousands of randomized fault schedules (3- and 5-node clusters,
/// crashes, partitions, lossy networks) with every safety property checked after each step.
/// A failure names the seed and the command that replays it with a full trace.
@Suite("Simulated seed sweep")
struct SimulationSweepTests {
    static let seedsPerChunk: UInt64 = 250
    static let chunks: [UInt64] = Array(0..<8)  // 8 × 250 = 2,000 seeds

    struct ChunkResult: Sendable {
        var failure: String?
        var nodeCounts: Set<Int> = []
    }

    @Test("2,000 seeds, zero violations", arguments: chunks)
    func sweep(chunk: UInt64) async {
        await Self.sweep(chunk: chunk, membershipChanges: false)
    }

    /// Two spare nodes join; voters are added and removed one at a time amid the same faults.
    @Test("1,000 seeds with membership changes, zero violations", arguments: chunks.prefix(4))
    func sweepWithMembershipChanges(chunk: UInt64) async {
        await Self.sweep(chunk: chunk, membershipChanges: true)
    }

    static func sweep(chunk: UInt64, membershipChanges: Bool) async {
        let start = chunk * Self.seedsPerChunk
        let result = await NicedThread.run {
            var result = ChunkResult()
            for seed in start..<(start + Self.seedsPerChunk) {
                let report = Simulation.run(SimulationOptions(seed: seed, membershipChanges: membershipChanges))
                result.nodeCounts.insert(report.nodeCount)
                if !report.passed {
                    result.failure =
                        "seed \(seed) (\(report.setup)): \(report.violations) — replay: \(report.replayCommand)\(membershipChanges ? " --membership on" : "")"
                    break
                }
            }
            return result
        }
        #expect(result.failure == nil, "\(result.failure ?? "")")
        if result.failure == nil { #expect(result.nodeCounts == [3, 5], "each chunk mixes 3- and 5-node clusters") }
    }
}
