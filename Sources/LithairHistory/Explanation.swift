/// A one-line, human-readable reason why a (small) window of one key is not linearizable.
///
/// The search itself only answers yes or no, so this is a heuristic reading of the window: it
/// looks at the last observation in the window and compares it with the writes that certainly
/// finished before it began. When no simple story fits, it says so generically.
enum Explanation {
    /// Describes why `window` (operations of `key`) cannot be linearized. `history` is the
    /// key's whole history, used to tell "never written" from "written, but not then".
    static func describe(window: [ClientOperation], key: String, history: [ClientOperation]) -> String {
        let observers = window.filter(\.isObservation).sorted { $0.invokedAt < $1.invokedAt }
        guard let culprit = observers.last else {
            return "no order of these \(window.count) operations on \(quoted(key)) respects real time"
        }
        let subject = "\(culprit.verb) of \(quoted(key)) by client \(culprit.clientID)"
        let needed = culprit.requiredValue

        if let needed, !history.contains(where: { $0.possiblyWrittenValue == needed }) {
            return "\(subject) saw \(describe(needed)), a value no operation on \(quoted(key)) wrote"
        }

        // The writes that finished before the culprit began and were not followed, before it,
        // by another such write: one of them wrote the value the culprit must have seen.
        let finished = window.filter { operation in
            operation.isAcknowledgedWrite && operation.completedAt.map { $0 < culprit.invokedAt } == true
        }
        let latest = finished.filter { write in
            !finished.contains { $0.invokedAt > write.completedAt! }
        }
        if let last = latest.max(by: { $0.completedAt! < $1.completedAt! }) {
            let values = latest.map(\.writtenValue)
            if culprit.isFailedCompareAndSet, values.allSatisfy({ $0 == needed }) {
                return "\(subject) expecting \(describe(needed)) failed, but the last completed write "
                    + "before it (client \(last.clientID), done at \(last.completedAt!)) wrote \(describe(needed))"
            }
            if !culprit.isFailedCompareAndSet, !values.contains(needed) {
                let effect = last.writtenValue.map { "wrote \(quoted($0))" } ?? "deleted it"
                return "\(subject) saw \(describe(needed)) but the last completed write before it "
                    + "(client \(last.clientID), done at \(last.completedAt!)) \(effect)"
            }
        }

        if !culprit.isFailedCompareAndSet,
            let earlier = observers.last(where: { earlier in
                earlier.completedAt.map { $0 < culprit.invokedAt } == true && earlier.requiredValue != needed
            })
        {
            return "\(subject) saw \(describe(needed)) although an earlier \(earlier.verb) (client "
                + "\(earlier.clientID), done at \(earlier.completedAt!)) had already seen \(describe(earlier.requiredValue))"
        }

        if let needed, !culprit.isFailedCompareAndSet,
            window.filter({ $0.possiblyWrittenValue == needed }).allSatisfy({ $0.invokedAt > culprit.completedAt! })
        {
            return "\(subject) saw \(describe(needed)) before any write of it began"
        }

        return "no order of these \(window.count) operations on \(quoted(key)) respects both real time "
            + "and register semantics"
    }

    private static func quoted(_ text: String) -> String { "\"\(text)\"" }

    private static func describe(_ value: String?) -> String { value.map(quoted) ?? "absent" }
}

extension ClientOperation {
    /// A completed operation whose response depends on the register's value.
    var isObservation: Bool {
        switch (kind, outcome) {
        case (.read, .ok), (.compareAndSet, .ok): true
        default: false
        }
    }

    /// A compare-and-set that completed reporting a failed precondition.
    var isFailedCompareAndSet: Bool {
        if case .ok(.casFailed, _) = outcome { return true }
        return false
    }

    /// An acknowledged operation that certainly changed the value.
    var isAcknowledgedWrite: Bool {
        switch (kind, outcome) {
        case (.write, .ok), (.delete, .ok), (.compareAndSet, .ok(.casSucceeded, _)): true
        default: false
        }
    }

    /// For an observation: the value the register must have held (a read's result, a
    /// compare-and-set's expected value).
    var requiredValue: String? {
        switch (kind, outcome) {
        case (.read, .ok(.value(let value, _), _)): value
        case (.compareAndSet(let expected, _), _): expected
        default: nil
        }
    }

    /// For a write-like operation: the value it leaves (`nil`: absent).
    var writtenValue: String? {
        switch kind {
        case .write(let value), .compareAndSet(_, let value): value
        case .read, .delete: nil
        }
    }

    /// A short name for the kind of request.
    var verb: String {
        switch kind {
        case .read: "read"
        case .write: "write"
        case .compareAndSet: "compare-and-set"
        case .delete: "delete"
        }
    }
}
