/// Shrinks a non-linearizable history of one key to a small window that is still, by itself,
/// not linearizable: greedy delta debugging within a step budget.
///
/// Proving that a large window fails costs as much as the original check, so the phases are
/// arranged to test small windows first: cut the history after the operation where the search
/// got stuck, grow a window backwards from that cut (doubling, then bisecting), and finally
/// remove ever smaller chunks. Every candidate is closed under `Dependencies`, so a failing
/// window is a genuine witness; a candidate is only accepted when the search proves it
/// non-linearizable, and an exhausted budget counts as "keep the operations".
struct WindowShrinker {
    private let operations: [ClientOperation]
    private let dependencies: Dependencies
    private var remainingSteps: Int
    private let stepsPerTest: Int

    /// Prepares to shrink `operations`, which must be one key's well-formed, relevant operations
    /// sorted by invocation time, and known not to be linearizable.
    init(_ operations: [ClientOperation], stepBudget: Int, stepsPerTest: Int) {
        self.operations = operations
        dependencies = Dependencies(operations)
        remainingSteps = stepBudget
        self.stepsPerTest = stepsPerTest
    }

    /// The smallest failing window found, in invocation order. `blockingOperation` is where the
    /// search of the whole history got stuck, if known.
    mutating func shrink(blockingOperation: Int?) -> [ClientOperation] {
        guard operations.count > 1 else { return operations }
        var window = Set(operations.indices)

        // Phase 1: drop everything invoked after the blocking operation returned.
        var end = operations.count
        if let blocking = blockingOperation, let completed = operations[blocking].completedAt {
            let cut = operations.firstIndex { $0.invokedAt > completed } ?? operations.count
            let candidate = dependencies.closingOverNeeds(Set(0..<cut))
            if cut < operations.count, fails(candidate) {
                end = cut
                window = candidate
            }
        }

        // Phase 2: the shortest failing suffix of operations[0..<end], found by doubling its
        // length from the end, then bisecting between the last passing and first failing length.
        var passing = 0
        var failing = end
        var length = 4
        while length < failing && remainingSteps > 0 {
            let candidate = dependencies.closingOverNeeds(Set((end - length)..<end))
            if fails(candidate) {
                failing = length
                window = candidate
            } else {
                passing = length
                length *= 2
            }
        }
        while failing - passing > 1 && remainingSteps > 0 {
            let middle = (passing + failing) / 2
            let candidate = dependencies.closingOverNeeds(Set((end - middle)..<end))
            if fails(candidate) {
                failing = middle
                window = candidate
            } else {
                passing = middle
            }
        }

        // Phase 3: remove chunks, halving the chunk size down to single operations.
        var chunk = max(1, window.count / 2)
        while remainingSteps > 0 {
            var members = window.sorted()
            var position = 0
            while position < members.count && remainingSteps > 0 {
                let removed = dependencies.closingOverDependents(
                    Set(members[position..<min(position + chunk, members.count)]))
                let candidate = window.subtracting(removed)
                if !candidate.isEmpty && fails(candidate) {
                    window = candidate
                    members = window.sorted()
                } else {
                    position += chunk
                }
            }
            if chunk == 1 { break }
            chunk /= 2
        }
        return window.sorted().map { operations[$0] }
    }

    /// Whether the sub-history `members` is proven not linearizable, charging the budget.
    private mutating func fails(_ members: Set<Int>) -> Bool {
        let budget = min(stepsPerTest, remainingSteps)
        let outcome = KeySearch(members.sorted().map { operations[$0] }).run(stepBudget: budget)
        remainingSteps -= max(outcome.steps, 1)
        return outcome.verdict == .notLinearizable
    }
}
