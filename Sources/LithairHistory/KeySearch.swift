/// The Wing & Gong depth-first search with Lowe's memoisation, for the operations of one key.
///
/// The search repeatedly picks a pending operation invoked before every pending return (no
/// other not-yet-linearized operation returned before it was invoked), applies it to the
/// register model, and backtracks when no candidate is left. Completed operations are tried
/// before those with an unknown outcome, so that configurations with fewer optional operations
/// are explored first and dominate the rest (see `SearchMemo`). The search succeeds once every
/// completed operation is linearized: unknown ones left over simply never took effect.
struct KeySearch {
    /// What one search concluded.
    enum Verdict: Sendable, Hashable {
        case linearizable
        case notLinearizable
        /// The step budget ran out first.
        case exhausted
    }

    /// The verdict and the work it took.
    struct Outcome: Sendable, Hashable {
        var verdict: Verdict
        /// Iterations of the search loop.
        var steps: Int
        /// Configurations memoised.
        var configurations: Int
        /// When not linearizable: the operation (an index into the operations given to `init`)
        /// whose return blocked the search when it had linearized the most operations. The
        /// violation is usually at or just before its completion.
        var blockingOperation: Int?
    }

    /// Where candidate enumeration stands: in the event list of completed operations, or in the
    /// list of classes of unknown ones (those invoked no later than `frontier`, the earliest
    /// pending return).
    private enum Cursor {
        case completed(node: Int32)
        case unknown(node: Int32, frontier: UInt64)
    }

    /// Each completed operation's index in the operations given to `init`.
    private let completedOrigin: [Int]
    private let completedSteps: [RegisterModel.Step]
    private let completedInvokedAt: [UInt64]
    private let completedAt: [UInt64]
    /// Unknown-outcome operations, in invocation order.
    private let unknownSteps: [RegisterModel.Step]
    private let unknownInvokedAt: [UInt64]

    /// Prepares a search over `operations`, which must all be well formed and concern one key.
    /// Operations that cannot constrain the result (failed ones, reads with unknown outcome)
    /// are dropped here.
    init(_ operations: [ClientOperation]) {
        let relevant = operations.filter(\.isRelevant)
        var interner = ValueInterner(relevant)
        completedOrigin = operations.indices.filter { operations[$0].isRelevant && operations[$0].completedAt != nil }
        let completed = completedOrigin.map { operations[$0] }
        let unknown = relevant.filter { $0.completedAt == nil }.sorted { $0.invokedAt < $1.invokedAt }
        completedSteps = completed.map { $0.step(interning: &interner) }
        completedInvokedAt = completed.map(\.invokedAt)
        completedAt = completed.map { $0.completedAt! }
        unknownSteps = unknown.map { $0.step(interning: &interner) }
        unknownInvokedAt = unknown.map(\.invokedAt)
    }

    /// Runs the search, giving up after `stepBudget` loop iterations.
    func run(stepBudget: Int) -> Outcome {
        var events = EventList(invokedAt: completedInvokedAt, completedAt: completedAt)
        var optional = OptionalOperations(steps: unknownSteps, invokedAt: unknownInvokedAt)
        var linearized = Bitset(count: completedSteps.count)
        var linearizedUnknown = Bitset(count: unknownSteps.count)
        var memo = SearchMemo()
        // The choices made so far, with the state before each: the backtracking stack.
        var stack: [(choice: Cursor, before: RegisterModel.State)] = []
        var state = RegisterModel.absent
        var pending = completedSteps.count
        var cursor = Cursor.completed(node: events.first)
        var iterations = 0

        // The fewest completed operations left pending at a dead end so far, and the operation
        // whose return was reached there.
        var fewestPending = Int.max
        var blocking: Int?

        func outcome(_ verdict: Verdict) -> Outcome {
            Outcome(
                verdict: verdict, steps: iterations, configurations: memo.count,
                blockingOperation: verdict == .notLinearizable ? blocking.map { completedOrigin[$0] } : nil)
        }

        while pending > 0 {
            if iterations >= stepBudget { return outcome(.exhausted) }
            iterations += 1
            switch cursor {
            case .completed(let node):
                guard events.isCall(node) else {
                    // No completed candidate left before this return; try the optional ones.
                    if pending < fewestPending {
                        fewestPending = pending
                        blocking = Int(events.operation[Int(node)])
                    }
                    cursor = .unknown(node: optional.first, frontier: events.time[Int(node)])
                    continue
                }
                let index = Int(events.operation[Int(node)])
                if let after = completedSteps[index].apply(to: state) {
                    linearized.insert(index)
                    if memo.visit(completed: linearized, state: after, unknown: linearizedUnknown) {
                        stack.append((cursor, state))
                        state = after
                        events.lift(node)
                        pending -= 1
                        cursor = .completed(node: events.first)
                        continue
                    }
                    linearized.remove(index)
                }
                cursor = .completed(node: events.next[Int(node)])

            case .unknown(let node, let frontier):
                if node != EventList.none && optional.firstInvokedAt[Int(node) - 1] <= frontier {
                    let index = optional.candidate(node)
                    if unknownInvokedAt[index] <= frontier,
                        !erasesOptionalChoice(unknownSteps[index], previous: stack.last?.choice),
                        let after = unknownSteps[index].apply(to: state)
                    {
                        linearizedUnknown.insert(index)
                        if memo.visit(completed: linearized, state: after, unknown: linearizedUnknown) {
                            stack.append((cursor, state))
                            state = after
                            optional.take(node)
                            cursor = .completed(node: events.first)
                            continue
                        }
                        linearizedUnknown.remove(index)
                    }
                    cursor = .unknown(node: optional.next[Int(node)], frontier: frontier)
                    continue
                }
                // Every candidate failed: undo the most recent choice and try the one after it.
                guard let (choice, before) = stack.popLast() else { return outcome(.notLinearizable) }
                state = before
                switch choice {
                case .completed(let call):
                    linearized.remove(Int(events.operation[Int(call)]))
                    events.unlift(call)
                    pending += 1
                    cursor = .completed(node: events.next[Int(call)])
                case .unknown(let group, let frontier):
                    optional.untake(group)
                    linearizedUnknown.remove(optional.candidate(group))
                    cursor = .unknown(node: optional.next[Int(group)], frontier: frontier)
                }
            }
        }
        return outcome(.linearizable)
    }

    /// Whether linearizing `step` right after the optional choice `previous` would only erase
    /// it: an unknown-outcome operation followed at once by an unknown-outcome blind write
    /// leaves the same state as the blind write alone, which the search tries at the same
    /// level with fewer optional operations. Without this rule, chains of timed-out writes
    /// are explored in every combination.
    private func erasesOptionalChoice(_ step: RegisterModel.Step, previous: Cursor?) -> Bool {
        guard case .write = step, case .unknown = previous else { return false }
        return true
    }
}
