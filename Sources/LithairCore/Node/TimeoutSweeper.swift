import Foundation

/// Runs expiry actions once their delay has passed, all from one thread that wakes every
/// `resolution` while any are pending and sleeps otherwise.
///
/// Every replicated write waits on a ``Promise`` with a timeout. A sleeping task per write
/// (a timer armed, then cancelled, on every request) cost more CPU than the write's JSON; here
/// a timeout is one append to a bucket. Actions run up to one `resolution` late.
final class TimeoutSweeper: @unchecked Sendable {
    /// The sweeper every promise uses; its thread starts with the first timeout.
    static let shared = TimeoutSweeper(resolution: .milliseconds(10))

    private let resolution: Duration
    private let origin = ContinuousClock.now
    // Guarded by `condition`.
    private let condition = NSCondition()
    /// Actions by the tick (multiple of `resolution` since `origin`) they are due at.
    private var due: [Int64: [@Sendable () -> Void]] = [:]
    /// Every tick up to this one has run.
    private var swept: Int64 = 0
    private var started = false

    init(resolution: Duration) {
        self.resolution = resolution
    }

    /// Runs `action` on the sweeper's thread once `delay` has passed.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        let tick = self.tick(at: ContinuousClock.now + delay) + 1
        condition.lock()
        due[max(tick, swept + 1), default: []].append(action)
        let start = !started
        started = true
        condition.signal()
        condition.unlock()
        if start {
            startNamedThread("lithair-timeouts") { [self] in run() }
        }
    }

    private func tick(at instant: ContinuousClock.Instant) -> Int64 {
        Int64((instant - origin) / resolution)
    }

    private func run() {
        while true {
            condition.lock()
            if due.isEmpty {
                while due.isEmpty { condition.wait() }
                // Idle ticks had nothing to run: start from the earliest bucket, not from
                // where the last sweep stopped.
                swept = min(tick(at: .now), due.keys.min()! - 1)
            }
            condition.unlock()
            Thread.sleep(forTimeInterval: resolution.seconds)
            condition.lock()
            let now = tick(at: .now)
            var ready: [@Sendable () -> Void] = []
            if now > swept {
                for tick in (swept + 1)...now {
                    if let actions = due.removeValue(forKey: tick) { ready += actions }
                }
                swept = now
            }
            condition.unlock()
            for action in ready { action() }
        }
    }
}
