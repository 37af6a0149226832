import LithairSimulation
import Testing

@testable import LithairConsensus

/// Proof that the simulator has teeth: break one Raft rule through a test-only hook and the
/// CI seed budget must find a violation.
@Suite("Mutation checks")
struct MutationTests {
    /// Runs up to `budget` seeds with `mutation` switched on; returns the first failing report.
    static func firstFailure(
        with mutation: SafetyMutation, budget: UInt64 = 2_000, membershipChanges: Bool = false
    ) -> SimulationReport? {
        for seed in 0..<budget {
            let options = SimulationOptions(seed: seed, membershipChanges: membershipChanges) {
                $0.mutations = [mutation]
            }
            let report = Simulation.run(options)
            if !report.passed { return report }
        }
        return nil
    }

    @Test("committing a previous-term entry by counting replicas is caught")
    func commitPreviousTermIsCaught() {
        let failure = Self.firstFailure(with: .commitPreviousTermByCounting)
        #expect(failure != nil)
        if let failure {
            print("commitPreviousTermByCounting caught by seed \(failure.seed): \(failure.violations[0])")
        }
    }

    @Test("granting a vote without the log up-to-date check is caught")
    func voteWithoutLogCheckIsCaught() {
        let failure = Self.firstFailure(with: .voteWithoutLogCheck)
        #expect(failure != nil)
        if let failure { print("voteWithoutLogCheck caught by seed \(failure.seed): \(failure.violations[0])") }
    }

    @Test("counting a learner's acknowledgement toward a commit is caught")
    func countingLearnersIsCaught() {
        let failure = Self.firstFailure(with: .countLearnersTowardCommit, membershipChanges: true)
        #expect(failure != nil)
        if let failure {
            print("countLearnersTowardCommit caught by seed \(failure.seed): \(failure.violations[0])")
        }
    }

    @Test("starting a membership change before the previous one committed is caught")
    func overlappingMembershipChangesAreCaught() {
        let failure = Self.firstFailure(with: .overlappingMembershipChanges, membershipChanges: true)
        #expect(failure != nil)
        if let failure {
            print("overlappingMembershipChanges caught by seed \(failure.seed): \(failure.violations[0])")
        }
    }

    @Test("a leader counting its own unsynced entries toward a commit is caught")
    func leaderCountingUnsyncedEntriesIsCaught() {
        let failure = Self.firstFailure(with: .leaderCountsUnsyncedEntries)
        #expect(failure != nil)
        if let failure {
            print("leaderCountsUnsyncedEntries caught by seed \(failure.seed): \(failure.violations[0])")
        }
    }
}
