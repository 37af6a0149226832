import Synchronization

/// A result that is delivered exactly once, by whoever comes first: the node's loop with the
/// answer, or a timer with ``NodeError/timedOut``.
///
/// A plain continuation cannot be abandoned on timeout without leaking the waiting task; this
/// box lets the waiter leave while the loop's later, late answer is simply dropped.
final class Promise<Value: Sendable>: Sendable {
    typealias Callback = @Sendable (Result<Value, any Error>) -> Void

    private enum Waiter {
        case task(CheckedContinuation<Value, any Error>)
        case callback(Callback)

        func deliver(_ result: Result<Value, any Error>) {
            switch self {
            case .task(let continuation): continuation.resume(with: result)
            case .callback(let callback): callback(result)
            }
        }
    }

    private enum State {
        case pending(Waiter?)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.pending(nil))

    init() {}

    /// Delivers `result` if nothing was delivered yet; later calls are ignored.
    func resolve(_ result: Result<Value, any Error>) {
        let waiter: Waiter? = state.withLock { state in
            guard case .pending(let waiter) = state else { return nil }
            state = .done(result)
            return waiter
        }
        waiter?.deliver(result)
    }

    func succeed(_ value: Value) { resolve(.success(value)) }
    func fail(_ error: any Error) { resolve(.failure(error)) }

    /// Waits for the result, or throws ``NodeError/timedOut`` after `timeout` (give or take
    /// the ``TimeoutSweeper``'s resolution).
    func value(timeout: Duration) async throws -> Value {
        scheduleTimeout(timeout)
        return try await withCheckedThrowingContinuation { continuation in
            wait(.task(continuation))
        }
    }

    /// Calls `callback` with the result, or with ``NodeError/timedOut`` after `timeout`, on
    /// whichever thread delivers it: for waiters that are not tasks (a NIO channel handler).
    func whenResolved(timeout: Duration, _ callback: @escaping Callback) {
        scheduleTimeout(timeout)
        wait(.callback(callback))
    }

    private func scheduleTimeout(_ timeout: Duration) {
        TimeoutSweeper.shared.schedule(after: timeout) { [weak self] in self?.fail(NodeError.timedOut) }
    }

    private func wait(_ waiter: Waiter) {
        let ready: Result<Value, any Error>? = state.withLock { state in
            switch state {
            case .pending:
                state = .pending(waiter)
                return nil
            case .done(let result):
                return result
            }
        }
        if let ready { waiter.deliver(ready) }
    }
}
