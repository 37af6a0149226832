/// A recorded client history: every operation of a run, in any order.
public struct History: Sendable, Hashable, Codable {
    /// The operations, as given.
    public var operations: [ClientOperation]

    /// Creates a history from recorded operations, in any order.
    public init(_ operations: [ClientOperation]) {
        self.operations = operations
    }

    /// The operations grouped by key, each group in invocation order.
    ///
    /// Linearizability is local (Herlihy & Wing): a register history is linearizable iff each
    /// key's sub-history is, so each group can be checked on its own.
    public func partitionedByKey() -> [String: [ClientOperation]] {
        var groups: [String: [ClientOperation]] = [:]
        for operation in operations {
            groups[operation.key, default: []].append(operation)
        }
        for key in groups.keys {
            groups[key]?.sort { $0.invokedAt < $1.invokedAt }
        }
        return groups
    }
}
