import LithairHistory

/// A small deterministic generator (SplitMix64), so every randomized test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A randomly generated history that is linearizable by construction.
///
/// Operations are executed one at a time against a reference register at strictly increasing
/// linearization points; each interval is then widened by random jitter around its point.
/// Widening only relaxes real-time order, so the points still witness a linearization.
struct GeneratedHistory {
    var operations: [ClientOperation]
    /// The linearization point of each operation (`nil` for operations that never took effect).
    var points: [UInt64?]

    init(seed: UInt64, count: Int, keys: Int, clients: Int, jitter: UInt64) {
        var random = SplitMix64(seed: seed)
        var register: [String: String] = [:]
        var nextValue = 0
        var point: UInt64 = 1_000
        operations = []
        points = []

        func freshValue() -> String {
            nextValue += 1
            return "v\(nextValue)"
        }

        for _ in 0..<count {
            point += UInt64.random(in: 1...10, using: &random)
            let key = "k\(Int.random(in: 0..<keys, using: &random))"
            let client = Int.random(in: 0..<clients, using: &random)
            let invoked = point - UInt64.random(in: 0...jitter, using: &random)
            let completed = point + UInt64.random(in: 0...jitter, using: &random)
            let roll = Int.random(in: 0..<100, using: &random)
            // A few operations never take effect: rejected, or timed out and lost.
            let lost = Int.random(in: 0..<100, using: &random) < 8
            let timedOut = Int.random(in: 0..<100, using: &random) < 10
            let kind: ClientOperation.Kind
            var response: ClientOperation.Response = .acknowledged
            switch roll {
            case 0..<40:
                kind = .read
                response = .value(register[key], version: nil)
            case 40..<70:
                kind = .write(freshValue())
            case 70..<90:
                let current = register[key]
                let expected =
                    Bool.random(using: &random)
                    ? current : (Bool.random(using: &random) ? nil : "v\(max(1, nextValue))")
                kind = .compareAndSet(expected: expected, new: freshValue())
                response = expected == current ? .casSucceeded : .casFailed
            default:
                kind = .delete
            }
            let outcome: ClientOperation.Outcome
            if lost, kind != .read {
                outcome = Bool.random(using: &random) ? .failed(completedAt: completed) : .unknown
                points.append(nil)
            } else {
                // Timed out: unknown, although it did take effect (a timed-out read is ignored).
                outcome = timedOut ? .unknown : .ok(response, completedAt: completed)
                points.append(point)
                switch kind {
                case .write(let value): register[key] = value
                case .compareAndSet(_, let new) where response == .casSucceeded: register[key] = new
                case .delete: register[key] = nil
                default: break
                }
            }
            operations.append(
                ClientOperation(clientID: client, key: key, kind: kind, invokedAt: invoked, outcome: outcome))
        }
    }

    /// A copy in which one read returns a value it cannot have seen at any linearization point,
    /// or `nil` if the history has no completed read. Also returns the mutated read, and whether
    /// the value is a stale one (rather than one nobody wrote).
    ///
    /// Preferably a stale value: written (once) by an acknowledged write `w` that completed
    /// before another acknowledged write `x` began, `x` having completed before the read began.
    /// `w` precedes `x` precedes the read in every linearization, and nothing else writes that
    /// value, so the read cannot see it. Otherwise a value nobody wrote.
    func mutatingOneRead(seed: UInt64) -> (history: [ClientOperation], read: ClientOperation, isStale: Bool)? {
        var random = SplitMix64(seed: seed)
        let reads = operations.indices.filter { index in
            if case (.read, .ok) = (operations[index].kind, operations[index].outcome) { return true }
            return false
        }
        guard let target = reads.randomElement(using: &random) else { return nil }
        let read = operations[target]
        let writes = operations.filter { $0.key == read.key && $0.isAcknowledged && $0.kind != .read }
        let stale = writes.compactMap { earlier -> String? in
            guard case .write(let value) = earlier.kind,
                writes.contains(where: { later in
                    later.invokedAt > earlier.completedAt! && later.completedAt! < read.invokedAt
                })
            else { return nil }
            return value
        }
        let value = stale.randomElement(using: &random)
        var mutated = operations
        mutated[target].outcome = .ok(.value(value ?? "never-written", version: nil), completedAt: read.completedAt!)
        return (mutated, mutated[target], value != nil)
    }
}

extension ClientOperation {
    /// Completed with a response (not failed, not unknown), and changed the register if a write.
    fileprivate var isAcknowledged: Bool {
        switch outcome {
        case .ok(.casFailed, _): false
        case .ok: true
        default: false
        }
    }
}
