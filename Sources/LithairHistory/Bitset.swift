/// A fixed-size set of small integers: which operations are linearized so far.
struct Bitset: Hashable, Sendable {
    private(set) var words: [UInt64]

    /// An empty set able to hold `0..<count`.
    init(count: Int) {
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    /// Adds `index`.
    @inline(__always)
    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// Removes `index`.
    @inline(__always)
    mutating func remove(_ index: Int) {
        words[index >> 6] &= ~(1 << UInt64(index & 63))
    }

    /// Whether every member of `self` is in `other` (both of the same capacity).
    func isSubset(of other: Bitset) -> Bool {
        for index in words.indices where words[index] & ~other.words[index] != 0 { return false }
        return true
    }
}
