/// The verdict of `LinearizabilityChecker.check(_:)`.
public enum CheckResult: Sendable, Hashable {
    /// Every key's sub-history is linearizable.
    case linearizable(CheckStatistics)
    /// The sub-history of `key` is not linearizable.
    ///
    /// `window` is a small sub-history of that key, in invocation order, that is not
    /// linearizable on its own. It is closed: with every observation (a read, a
    /// compare-and-set) it keeps the writes that observation may have seen last (the write of
    /// the value it saw, or, for "absent" and failed compare-and-sets, every write that may
    /// have been the last one). So the window is a genuine witness, never an artefact of the
    /// operations removed. `explanation` is a one-line reading of it; pass `window` to
    /// `render(_:)` for a timeline. Only one failing key is reported: the first, in key order,
    /// of those found in the same budget round.
    case notLinearizable(key: String, window: [ClientOperation], explanation: String)
    /// No key failed, but the search ran out of its step budget on `keys` (sorted), so their
    /// verdict is unknown.
    case timedOut(keys: [String], CheckStatistics)
    /// `operation` is malformed (for example a read answered with `.casSucceeded`, or a
    /// completion before the invocation): a recording bug, reported before any checking.
    case invalidHistory(ClientOperation, reason: String)

    /// Whether the history was proven linearizable.
    public var isLinearizable: Bool {
        if case .linearizable = self { return true }
        return false
    }
}

/// How much work a check did.
public struct CheckStatistics: Sendable, Hashable {
    /// Keys checked.
    public var keys: Int
    /// Operations given to the search (failed operations and reads with an unknown outcome are
    /// ignored and not counted).
    public var operations: Int
    /// Search loop iterations, over all keys and all budget rounds.
    public var steps: Int
    /// Distinct (linearized set, state) configurations memoised in the last round of each key.
    public var configurations: Int

    /// Creates statistics.
    public init(keys: Int = 0, operations: Int = 0, steps: Int = 0, configurations: Int = 0) {
        self.keys = keys
        self.operations = operations
        self.steps = steps
        self.configurations = configurations
    }
}
