import Synchronization

/// The messages waiting for one peer: the leader's loop pushes without blocking, the peer's
/// sender takes everything waiting at once.
///
/// Bounded: past `capacity` the oldest messages are dropped, which Raft tolerates (the leader
/// probes and resends). An `AsyncStream` cannot hand over "everything buffered now", which
/// is what lets the sender merge consecutive appends.
final class PeerQueue: Sendable {
    private struct State {
        var items: [PeerTransport.Outgoing] = []
        var waiter: CheckedContinuation<[PeerTransport.Outgoing]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    func push(_ item: PeerTransport.Outgoing) {
        let handOver: (CheckedContinuation<[PeerTransport.Outgoing]?, Never>, [PeerTransport.Outgoing])? =
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
    func popAll() async -> [PeerTransport.Outgoing]? {
        await withCheckedContinuation { continuation in
            let immediate: [PeerTransport.Outgoing]?? = state.withLock { state in
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
        let waiter = state.withLock { state -> CheckedContinuation<[PeerTransport.Outgoing]?, Never>? in
            state.finished = true
            state.items.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
