/// Shrinks a non-linearizable history of one key to a small window that is still, by itself,
/// not linearizable: greedy delta debugging within a step budget.
///
/// Three phases, cheapest first: the shortest failing prefix (in invocation order), then the
/// shortest failing suffix of that prefix, then removal of ever smaller chunks. Every candidate
/// is closed under `Dependencies`, so a failing window is a genuine witness, and a candidate is only accepted when the
/// search proves it non-linearizable; an exhausted budget counts as "keep the operations".
struct WindowShrinker {
    private let operations: [Operation]
    private let dependencies: Dependencies
    private var remainingSteps: Int
    private let stepsPerTest: Int

    /// Prepares to shrink `operations`, which must be one key's well-formed, relevant operations
    /// sorted by invocation time, and known not to be linearizable.
    init(_ operations: [Operation], stepBudget: Int, stepsPerTest: Int) {
        self.operations = operations
        dependencies = Dependencies(operations)
        remainingSteps = stepBudget
        self.stepsPerTest = stepsPerTest
    }

    /// The smallest failing window found, in invocation order.
    mutating func shrink() -> [Operation] {
        let count = operations.count
        guard count > 1 else { return operations }

        // Phase 1: shortest failing prefix. `high` always fails (the whole history does).
        var low = 1
        var high = count
        while low < high && remainingSteps > 0 {
            let middle = (low + high) / 2
            if fails(dependencies.closingOverNeeds(Set(0..<middle))) { high = middle } else { low = middle + 1 }
        }
        var window = dependencies.closingOverNeeds(Set(0..<high))

        // Phase 2: shortest failing suffix of that prefix. `start` = 0 always fails.
        var start = 0
        var end = high - 1
        while start < end && remainingSteps > 0 {
            let middle = (start + end + 1) / 2
            let candidate = dependencies.closingOverNeeds(Set(middle..<high))
            if fails(candidate) {
                start = middle
                window = candidate
            } else {
                end = middle - 1
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
