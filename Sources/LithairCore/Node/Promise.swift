import Synchronization

/// A result that is delivered exactly once, by whoever comes first: the node's loop with the
/// answer, or a timer with ``NodeError/timedOut``.
///
/// A plain continuation cannot be abandoned on timeout without leaking the waiting task; this
/// box lets the waiter leave while the loop's later, late answer is simply dropped.
final class Promise<Value: Sendable>: Sendable {
    private enum State {
        case pending(CheckedContinuation<Value, any Error>?)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.pending(nil))

    init() {}

    /// Delivers `result` if nothing was delivered yet; later calls are ignored.
    func resolve(_ result: Result<Value, any Error>) {
        let waiter: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard case .pending(let waiter) = state else { return nil }
            state = .done(result)
            return waiter
        }
        waiter?.resume(with: result)
    }

    func succeed(_ value: Value) { resolve(.success(value)) }
    func fail(_ error: any Error) { resolve(.failure(error)) }

    /// Waits for the result, or throws ``NodeError/timedOut`` after `timeout` (give or take
    /// the ``TimeoutSweeper``'s resolution).
    func value(timeout: Duration) async throws -> Value {
        TimeoutSweeper.shared.schedule(after: timeout) { [weak self] in self?.fail(NodeError.timedOut) }
        return try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .pending:
                    state = .pending(continuation)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
