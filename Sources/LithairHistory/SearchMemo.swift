/// Lowe's memoisation, extended for operations with an unknown outcome.
///
/// A configuration is (completed operations linearized, register state, unknown-outcome
/// operations linearized). Two configurations with the same completed set and state have the
/// same obligations; the one with *fewer* unknown operations linearized can do everything the
/// other can (unknown operations are optional and never block others). So a configuration is
/// pruned when one with the same completed set and state and a subset of its unknown set was
/// already explored. Without this, k unobserved timed-out writes multiply the search by 2^k.
struct SearchMemo {
    private struct Key: Hashable {
        var completed: Bitset
        var state: RegisterModel.State
    }

    private var explored: [Key: [Bitset]] = [:]

    /// The number of configurations recorded.
    private(set) var count = 0

    /// Records the configuration and returns `true`, or returns `false` if it is dominated by
    /// one already explored.
    mutating func visit(completed: Bitset, state: RegisterModel.State, unknown: Bitset) -> Bool {
        let key = Key(completed: completed, state: state)
        if let seen = explored[key] {
            if seen.contains(where: { $0.isSubset(of: unknown) }) { return false }
            explored[key]!.append(unknown)
        } else {
            explored[key] = [unknown]
        }
        count += 1
        return true
    }
}
