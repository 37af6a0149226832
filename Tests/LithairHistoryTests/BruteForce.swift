import LithairHistory

/// A reference checker straight from the definition, for tiny histories: try every order of
/// every subset that contains all completed operations (unknown ones are optional), keep those
/// that respect real time, and run each through the register. Exponential; only for a handful
/// of operations.
enum BruteForce {
    static func isLinearizable(_ operations: [ClientOperation]) -> Bool {
        let relevant = operations.filter { operation in
            switch (operation.outcome, operation.kind) {
            case (.failed, _), (.unknown, .read): false
            default: true
            }
        }
        return relevant.map(\.key).allSatisfy { key in
            search(remaining: relevant.filter { $0.key == key }, state: nil)
        }
    }

    /// Can `remaining` be linearized from `state`? Next may be any operation not preceded in
    /// real time by another remaining operation; unknown ones may also be dropped.
    private static func search(remaining: [ClientOperation], state: String?) -> Bool {
        if remaining.allSatisfy({ $0.completedAt == nil }) { return true }
        for (index, candidate) in remaining.enumerated() {
            let blocked = remaining.contains { other in
                other != candidate && (other.completedAt.map { $0 < candidate.invokedAt } ?? false)
            }
            if blocked { continue }
            var rest = remaining
            rest.remove(at: index)
            if let after = apply(candidate, to: state), search(remaining: rest, state: after) { return true }
            if candidate.completedAt == nil, search(remaining: rest, state: state) { return true }
        }
        return false
    }

    /// The register after `operation`, or `nil` if its response is impossible in `state`.
    private static func apply(_ operation: ClientOperation, to state: String?) -> String?? {
        let unknown = operation.completedAt == nil
        switch (operation.kind, operation.outcome) {
        case (.read, .ok(.value(let value, _), _)): return value == state ? .some(state) : nil
        case (.write(let value), _): return .some(value)
        case (.delete, _): return .some(nil)
        case (.compareAndSet(let expected, let new), .ok(.casSucceeded, _)):
            return expected == state ? .some(new) : nil
        case (.compareAndSet(let expected, _), .ok(.casFailed, _)): return expected == state ? nil : .some(state)
        case (.compareAndSet(let expected, let new), _) where unknown: return .some(expected == state ? new : state)
        default: return nil
        }
    }

    /// A random small history, not necessarily linearizable: few values, so that reads and
    /// compare-and-sets often match, and many overlapping or unknown-outcome operations.
    static func randomHistory(seed: UInt64, count: Int) -> [ClientOperation] {
        var random = SplitMix64(seed: seed)
        let values: [String?] = [nil, "a", "b", "c"]
        return (0..<count).map { index in
            let invoked = UInt64.random(in: 0..<20, using: &random)
            let completed = invoked + UInt64.random(in: 0..<8, using: &random)
            let unknown = Int.random(in: 0..<100, using: &random) < 25
            let value = values.randomElement(using: &random)!
            let new = ["a", "b", "c"].randomElement(using: &random)!
            let kind: ClientOperation.Kind
            let response: ClientOperation.Response
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35:
                kind = .read
                response = .value(value, version: nil)
            case 35..<65:
                kind = .write(new)
                response = .acknowledged
            case 65..<90:
                kind = .compareAndSet(expected: value, new: new)
                response = Bool.random(using: &random) ? .casSucceeded : .casFailed
            default:
                kind = .delete
                response = .acknowledged
            }
            return ClientOperation(
                clientID: index, key: "k", kind: kind, invokedAt: invoked,
                outcome: unknown ? .unknown : .ok(response, completedAt: completed))
        }
    }
}
