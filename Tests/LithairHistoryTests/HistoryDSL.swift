import LithairHistory

// Terse constructors for hand-made histories. `completed: nil` means the outcome is unknown.

func read(
    _ client: Int, sees value: String?, _ invoked: UInt64, _ completed: UInt64?, key: String = "k",
    version: UInt64? = nil
) -> ClientOperation {
    ClientOperation(
        clientID: client, key: key, kind: .read, invokedAt: invoked,
        outcome: completed.map { .ok(.value(value, version: version), completedAt: $0) } ?? .unknown)
}

func write(_ client: Int, _ value: String, _ invoked: UInt64, _ completed: UInt64?, key: String = "k")
    -> ClientOperation
{
    ClientOperation(
        clientID: client, key: key, kind: .write(value), invokedAt: invoked,
        outcome: completed.map { .ok(.acknowledged, completedAt: $0) } ?? .unknown)
}

func delete(_ client: Int, _ invoked: UInt64, _ completed: UInt64?, key: String = "k") -> ClientOperation {
    ClientOperation(
        clientID: client, key: key, kind: .delete, invokedAt: invoked,
        outcome: completed.map { .ok(.acknowledged, completedAt: $0) } ?? .unknown)
}

/// A compare-and-set; `succeeded: nil` (with `completed: nil`) means the outcome is unknown.
func cas(
    _ client: Int, _ expected: String?, _ new: String, succeeded: Bool?, _ invoked: UInt64, _ completed: UInt64?,
    key: String = "k"
) -> ClientOperation {
    let outcome: ClientOperation.Outcome
    if let completed, let succeeded {
        outcome = .ok(succeeded ? .casSucceeded : .casFailed, completedAt: completed)
    } else {
        outcome = .unknown
    }
    return ClientOperation(
        clientID: client, key: key, kind: .compareAndSet(expected: expected, new: new), invokedAt: invoked,
        outcome: outcome)
}

/// An operation rejected before it could take effect.
func rejected(_ operation: ClientOperation, at completed: UInt64) -> ClientOperation {
    var copy = operation
    copy.outcome = .failed(completedAt: completed)
    return copy
}

/// Checks `operations` with default budgets.
func check(_ operations: [ClientOperation]) -> CheckResult {
    LinearizabilityChecker().check(History(operations))
}

/// The failing key, window and explanation, or `nil` if the check did not report a violation.
func violation(_ operations: [ClientOperation]) -> (key: String, window: [ClientOperation], explanation: String)? {
    guard case .notLinearizable(let key, let window, let explanation) = check(operations) else { return nil }
    return (key, window, explanation)
}
