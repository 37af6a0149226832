import Foundation
import Synchronization

/// Runs expiry actions once their delay has passed, all from one thread that wakes every
/// `resolution`.
///
/// Every replicated write waits on a ``Promise`` with a timeout. A sleeping task per write
/// (a timer armed, then cancelled, on every request) cost more CPU than the write's JSON; here
/// a timeout is one append to a bucket. Actions run up to one `resolution` late.
final class TimeoutSweeper: Sendable {
    /// The sweeper every promise uses; its thread starts with the first timeout.
    static let shared = TimeoutSweeper(resolution: .milliseconds(10))

    private struct State {
        /// Actions by the tick (multiple of `resolution` since `origin`) they are due at.
        var due: [Int64: [@Sendable () -> Void]] = [:]
        /// Every tick up to this one has run.
        var swept: Int64 = 0
        var started = false
    }

    private let resolution: Duration
    private let origin = ContinuousClock.now
    private let state = Mutex(State())

    init(resolution: Duration) {
        self.resolution = resolution
    }

    /// Runs `action` on the sweeper's thread once `delay` has passed.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        let tick = self.tick(at: ContinuousClock.now + delay) + 1
        let start = state.withLock { state -> Bool in
            state.due[max(tick, state.swept + 1), default: []].append(action)
            defer { state.started = true }
            return !state.started
        }
        if start {
            let thread = Thread { [self] in run() }
            thread.name = "lithair-timeouts"
            thread.start()
        }
    }

    private func tick(at instant: ContinuousClock.Instant) -> Int64 {
        Int64((instant - origin) / resolution)
    }

    private func run() {
        while true {
            Thread.sleep(forTimeInterval: Double(resolution.components.attoseconds) / 1e18)
            let now = tick(at: .now)
            let actions = state.withLock { state -> [@Sendable () -> Void] in
                guard now > state.swept else { return [] }
                var ready: [@Sendable () -> Void] = []
                for tick in (state.swept + 1)...now {
                    if let due = state.due.removeValue(forKey: tick) { ready += due }
                }
                state.swept = now
                return ready
            }
            for action in actions { action() }
        }
    }
}
