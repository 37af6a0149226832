import LithairConsensus
import LithairSimulation
import Testing

/// The simulator itself: determinism (so a printed seed really replays) and fault coverage.
@Suite("Simulator")
struct SimulatorTests {
    @Test("a seed replays identically, with or without a trace")
    func deterministicReplay() {
        for seed: UInt64 in [3, 17, 42] {
            let first = Simulation.run(SimulationOptions(seed: seed))
            let traced = Simulation.run(SimulationOptions(seed: seed, tracing: true))
            let again = Simulation.run(SimulationOptions(seed: seed, tracing: true))
            #expect(first.ticks == traced.ticks)
            #expect(first.acknowledgedProposals == traced.acknowledgedProposals)
            #expect(first.committedIndex == traced.committedIndex)
            #expect(traced.trace == again.trace)
            #expect(!traced.trace.isEmpty)
        }
    }

    @Test("runs make progress and exercise crashes, partitions and snapshots")
    func coverage() {
        var crashes = 0
        var partitions = 0
        var snapshots = 0
        var acknowledged = 0
        for seed: UInt64 in 0..<20 {
            let report = Simulation.run(SimulationOptions(seed: seed, tracing: true))
            #expect(report.passed, "seed \(seed): \(report.violations)")
            crashes += report.trace.filter { $0.contains("CRASHES") }.count
            partitions += report.trace.filter { $0.contains("partition") || $0.contains("block") }.count
            snapshots += report.trace.filter { $0.contains("installs snapshot") }.count
            acknowledged += report.acknowledgedProposals
        }
        #expect(crashes > 20)
        #expect(partitions > 10)
        #expect(snapshots > 0, "some followers were brought back with InstallSnapshot")
        print(
            "coverage: crashes=\(crashes) partitions=\(partitions) snapshots=\(snapshots) acknowledged=\(acknowledged)")
        #expect(acknowledged > 500)
    }
}
