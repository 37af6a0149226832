/// A small seeded generator (SplitMix64), so a run's choices can be replayed from its seed.
struct VerifyRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for a sub-task (client `n`, the nemesis), independent of the others.
    func derived(_ stream: UInt64) -> VerifyRandom {
        var copy = VerifyRandom(seed: state ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = copy.next()
        return copy
    }

    /// A duration uniformly between `low` and `high` seconds.
    mutating func seconds(_ low: Double, _ high: Double) -> Duration {
        .milliseconds(Int64(Double.random(in: low...high, using: &self) * 1000))
    }
}
