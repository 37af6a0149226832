/// Decides whether a recorded history of key-value registers is linearizable.
///
/// Each key is checked on its own (linearizability is local), with the Wing & Gong search and
/// Lowe's memoisation of (linearized set, register value), extended so that operations with an
/// unknown outcome do not multiply the search (see `SearchMemo` and `OptionalOperations`).
/// Keys are searched in rounds with a budget growing fourfold from 10,000 steps, so a single
/// hard key cannot hide a quick failure on another. When a key fails, its history is shrunk to
/// a small window that still fails, and explained.
///
/// The register model: a read must return the current value (`nil` when absent); a write or a
/// delete always succeeds; a compare-and-set succeeds iff the current value equals `expected`.
/// Operations with outcome `.failed` are ignored; operations with outcome `.unknown` may take
/// effect at any time after their invocation, or never. Versions are ignored.
///
/// The verdict does not assume anything about values. The window and its explanation assume
/// that each value is written at most once per key, as the fault-injection runner guarantees.
///
/// Cost: linear in practice when few operations are concurrent on a key (10,000 operations over
/// 10 keys with 5 clients: about 15 ms in a release build); exponential in the number of
/// operations concurrent on one key in the worst case, hence the budget. Workloads should spread
/// clients over many keys.
public struct LinearizabilityChecker: Sendable {
    /// The most search loop iterations spent on one key, in the last and largest budget round,
    /// before reporting `.timedOut`.
    public var stepBudget: Int
    /// The total search loop iterations the window shrinker may spend; when it runs out, the
    /// window found so far is reported (it still fails, but may not be minimal).
    public var shrinkStepBudget: Int

    /// Creates a checker with per-key and shrinking step budgets. A step is one iteration of the
    /// search loop: about 0.1 to 0.3 µs in a release build, so the default per-key budget is a
    /// few seconds.
    public init(stepBudget: Int = 20_000_000, shrinkStepBudget: Int = 5_000_000) {
        self.stepBudget = stepBudget
        self.shrinkStepBudget = shrinkStepBudget
    }

    /// Checks `history`. Deterministic: the same history and budgets give the same result.
    public func check(_ history: History) -> CheckResult {
        for operation in history.operations {
            if let reason = operation.malformation { return .invalidHistory(operation, reason: reason) }
        }
        let groups = history.partitionedByKey().mapValues { $0.filter(\.isRelevant) }
        let searches = groups.mapValues(KeySearch.init)
        var statistics = CheckStatistics(keys: groups.count, operations: groups.values.reduce(0) { $0 + $1.count })
        var pending = groups.keys.sorted()
        var budget = min(10_000, stepBudget)
        var configurations: [String: Int] = [:]

        while true {
            var exhausted: [String] = []
            var failed: [(key: String, blocking: Int?)] = []
            for key in pending {
                let outcome = searches[key]!.run(stepBudget: budget)
                statistics.steps += outcome.steps
                configurations[key] = outcome.configurations
                switch outcome.verdict {
                case .linearizable: break
                case .notLinearizable: failed.append((key, outcome.blockingOperation))
                case .exhausted: exhausted.append(key)
                }
            }
            statistics.configurations = configurations.values.reduce(0, +)
            if let (key, blocking) = failed.first {
                return violation(on: key, operations: groups[key]!, blockingOperation: blocking)
            }
            if exhausted.isEmpty { return .linearizable(statistics) }
            if budget >= stepBudget { return .timedOut(keys: exhausted, statistics) }
            pending = exhausted
            budget = budget > stepBudget / 4 ? stepBudget : budget * 4
        }
    }

    /// The report for `key`, whose relevant `operations` are known not to be linearizable.
    private func violation(on key: String, operations: [ClientOperation], blockingOperation: Int?) -> CheckResult {
        var shrinker = WindowShrinker(operations, stepBudget: shrinkStepBudget, stepsPerTest: stepBudget)
        let window = shrinker.shrink(blockingOperation: blockingOperation)
        let explanation = Explanation.describe(window: window, key: key, history: operations)
        return .notLinearizable(key: key, window: window, explanation: explanation)
    }
}
