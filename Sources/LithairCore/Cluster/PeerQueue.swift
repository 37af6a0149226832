import Synchronization

/// The work waiting for one peer's sender task (snapshot transfers): the node's loop pushes
/// without blocking, the sender takes everything waiting at once.
///
/// Bounded: past `capacity` the oldest items are dropped, which Raft tolerates (the leader
/// retries a snapshot it was not told the outcome of).
final class PeerQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var waiter: CheckedContinuation<[Item]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    func push(_ item: Item) {
        let handOver: (CheckedContinuation<[Item]?, Never>, [Item])? =
            state.withLock { state in
                guard !state.finished else { return nil }
                state.items.append(item)
                if state.items.count > capacity { state.items.removeFirst(state.items.count - capacity) }
                guard let waiter = state.waiter else { return nil }
                state.waiter = nil
                defer { state.items.removeAll() }
                return (waiter, state.items)
            }
        if let (waiter, items) = handOver { waiter.resume(returning: items) }
    }

    /// Everything waiting, once something is; `nil` after ``finish()``.
    func popAll() async -> [Item]? {
        await withCheckedContinuation { continuation in
            let immediate: [Item]?? = state.withLock { state in
                if state.finished { return .some(nil) }
                if !state.items.isEmpty {
                    defer { state.items.removeAll() }
                    return .some(state.items)
                }
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Drops what is waiting and wakes the sender with `nil`.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[Item]?, Never>? in
            state.finished = true
            state.items.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
