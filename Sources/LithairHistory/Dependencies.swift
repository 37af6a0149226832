/// Which operations each operation of one key depends on for its response to stay explicable.
///
/// An observation (a completed read, or any compare-and-set) needs the writes that may have
/// been the last one before it: the writers of the value it required when that value is not
/// absent (values are unique per write), otherwise every write that may have been last (not
/// certainly overwritten before the observation began). The set is *closed* when it contains
/// the dependencies of all its members.
///
/// Why it matters: restricting a linearization of the whole history to a closed subset gives a
/// linearization of the subset, because every kept observation keeps the write it saw last. So
/// a closed window that is not linearizable proves the whole history is not, and a window never
/// shows a misleading violation made up by dropping a write (such as a "read of a value never
/// written" carved out of a stale read).
struct Dependencies {
    /// For each operation, the operations it depends on.
    let needs: [[Int]]
    /// For each operation, the operations that depend on it.
    let neededBy: [[Int]]

    /// Computes dependencies among `operations` (one key, well formed, relevant).
    init(_ operations: [ClientOperation]) {
        var writersOf: [String: [Int]] = [:]
        var writes: [Int] = []
        for (index, operation) in operations.enumerated() where operation.mayWrite {
            writes.append(index)
            if let value = operation.possiblyWrittenValue { writersOf[value, default: []].append(index) }
        }
        let overwrites = CertainOverwrites(operations)

        var needs = Array(repeating: [Int](), count: operations.count)
        var neededBy = Array(repeating: [Int](), count: operations.count)
        for (index, operation) in operations.enumerated() where operation.dependsOnState {
            let sources: [Int]
            if let value = operation.requiredValue, !operation.isFailedCompareAndSet {
                sources = writersOf[value] ?? []
            } else {
                // May the write have been the last one before this operation took effect?
                let horizon = overwrites.latestCertainInvocation(before: operation.invokedAt)
                let end = operation.completedAt ?? .max
                sources = writes.filter { write in
                    write != index && operations[write].invokedAt <= end
                        && (operations[write].completedAt ?? .max) >= horizon
                }
            }
            needs[index] = sources
            for source in sources { neededBy[source].append(index) }
        }
        self.needs = needs
        self.neededBy = neededBy
    }

    /// `kept` plus, transitively, everything its members depend on: the smallest closed superset.
    func closingOverNeeds(_ kept: Set<Int>) -> Set<Int> {
        closure(of: kept, along: needs)
    }

    /// `removed` plus, transitively, everything that depends on its members; removing that from a
    /// closed set leaves a closed set.
    func closingOverDependents(_ removed: Set<Int>) -> Set<Int> {
        closure(of: removed, along: neededBy)
    }

    private func closure(of start: Set<Int>, along edges: [[Int]]) -> Set<Int> {
        var result = start
        var frontier = Array(start)
        while let index = frontier.popLast() {
            for neighbour in edges[index] where result.insert(neighbour).inserted {
                frontier.append(neighbour)
            }
        }
        return result
    }
}

/// Answers "which writes were certainly overwritten before time t": a write that completed
/// before another acknowledged write was invoked, which itself completed before t.
private struct CertainOverwrites {
    /// Acknowledged writes' completion times, ascending.
    private let completions: [UInt64]
    /// For each prefix of `completions`, the latest invocation among those writes.
    private let latestInvocation: [UInt64]

    init(_ operations: [ClientOperation]) {
        let acknowledged = operations.filter(\.isAcknowledgedWrite).sorted { $0.completedAt! < $1.completedAt! }
        completions = acknowledged.map { $0.completedAt! }
        var latest: [UInt64] = []
        var running: UInt64 = 0
        for write in acknowledged {
            running = max(running, write.invokedAt)
            latest.append(running)
        }
        latestInvocation = latest
    }

    /// The latest invocation of an acknowledged write that completed before `time` (0 if none).
    /// Any write that completed before this value was certainly overwritten before `time`.
    func latestCertainInvocation(before time: UInt64) -> UInt64 {
        // The number of completions strictly before `time`.
        var low = 0
        var high = completions.count
        while low < high {
            let middle = (low + high) / 2
            if completions[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : latestInvocation[low - 1]
    }
}

extension ClientOperation {
    /// The non-absent value this operation may have written, if any.
    var possiblyWrittenValue: String? {
        mayWrite ? writtenValue : nil
    }

    /// Whether the operation may have changed the register.
    var mayWrite: Bool {
        switch (kind, outcome) {
        case (.read, _), (_, .failed), (.compareAndSet, .ok(.casFailed, _)): false
        default: true
        }
    }

    /// Whether the operation's response, or its effect, depends on the register's value.
    var dependsOnState: Bool {
        switch (kind, outcome) {
        case (.read, .ok), (.compareAndSet, .ok), (.compareAndSet, .unknown): true
        default: false
        }
    }
}
