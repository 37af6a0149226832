/// A fixed-size set of small integers (which operations are linearized so far), carrying a
/// Zobrist hash maintained incrementally so that hashing costs O(1) instead of O(size).
struct Bitset: Hashable, Sendable {
    private(set) var words: [UInt64]
    /// The XOR of `Bitset.zobrist(member)` over all members.
    private(set) var fingerprint: UInt64 = 0

    /// An empty set able to hold `0..<count`.
    init(count: Int) {
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    /// Adds `index`, which must not be a member.
    @inline(__always)
    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
        fingerprint ^= Bitset.zobrist(index)
    }

    /// Removes `index`, which must be a member.
    @inline(__always)
    mutating func remove(_ index: Int) {
        words[index >> 6] &= ~(1 << UInt64(index & 63))
        fingerprint ^= Bitset.zobrist(index)
    }

    /// Whether every member of `self` is in `other` (both of the same capacity).
    func isSubset(of other: Bitset) -> Bool {
        for index in words.indices where words[index] & ~other.words[index] != 0 { return false }
        return true
    }

    static func == (lhs: Bitset, rhs: Bitset) -> Bool {
        lhs.fingerprint == rhs.fingerprint && lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    /// A well-mixed 64-bit value per member (the SplitMix64 finaliser).
    @inline(__always)
    private static func zobrist(_ index: Int) -> UInt64 {
        var z = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15 &+ 0x6A09_E667_F3BC_C909
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
