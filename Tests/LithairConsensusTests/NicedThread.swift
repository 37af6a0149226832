import Foundation

/// Runs CPU-bound test work on a thread of its own at nice 10.
///
/// Swift Testing runs every test's awaits on the cooperative pool, which has one thread per
/// core (two on CI). A long synchronous test there holds those threads, and every other test's
/// `await` waits behind it: in CI the seed sweep froze the real-process tests for 30 s, and
/// their readiness deadlines expired. On its own niced thread the work only takes the CPU
/// nobody else wants.
enum NicedThread {
    static func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                // On Linux the nice value belongs to the thread, and `who == 0` is the caller.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                continuation.resume(returning: work())
            }
            thread.start()
        }
    }
}
