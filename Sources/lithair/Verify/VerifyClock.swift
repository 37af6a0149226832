import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The run's single monotonic clock: microseconds since the run began.
///
/// Every recorded invocation and completion reads this clock, as `ClientOperation` requires.
/// Microseconds keep rendered windows readable; two events in the same microsecond count as
/// concurrent, which can only make the checker more permissive, never report a false violation.
struct VerifyClock: Sendable {
    private let origin: UInt64

    init() { origin = Self.nanoseconds() }

    /// Microseconds since `init`.
    func now() -> UInt64 { (Self.nanoseconds() - origin) / 1000 }

    private static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
