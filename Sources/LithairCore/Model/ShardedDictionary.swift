/// A string-keyed dictionary split into fixed shards, so that no single write pays for the
/// whole map.
///
/// Two operations of a plain `Dictionary` cost time in proportion to everything it holds:
/// the first write after a snapshot took a copy-on-write copy of the state (the snapshot
/// keeps the old storage, so the writer copies all of it), and growth past a power of two
/// (every entry rehashed). With 100,000 items either stalled the node's writes by 30–130 ms
/// on this machine. Sharded, a write copies or rehashes only the shards it touches, a
/// sixty-fourth of the map each. (Shards fill evenly, so they still grow at about the same
/// item count: that batch of writes still pays for a good part of a rehash, 15–30 ms here.)
struct ShardedDictionary<Value> {
    private static var shardCount: Int { 64 }
    private var shards: [[String: Value]] = Array(repeating: [:], count: shardCount)
    /// The number of keys.
    private(set) var count = 0

    private static func shard(of key: String) -> Int {
        Int(UInt(bitPattern: key.hashValue) % UInt(shardCount))
    }

    subscript(key: String) -> Value? {
        get { shards[Self.shard(of: key)][key] }
        set {
            let shard = Self.shard(of: key)
            if let newValue {
                if shards[shard].updateValue(newValue, forKey: key) == nil { count += 1 }
            } else if shards[shard].removeValue(forKey: key) != nil {
                count -= 1
            }
        }
    }

    /// Removes `key`; returns the value it had.
    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        let removed = shards[Self.shard(of: key)].removeValue(forKey: key)
        if removed != nil { count -= 1 }
        return removed
    }

    /// Changes the value of `key` in place, starting from `defaultValue` if it has none.
    mutating func modify(
        _ key: String, default defaultValue: @autoclosure () -> Value, _ change: (inout Value) -> Void
    ) {
        let shard = Self.shard(of: key)
        let before = shards[shard].count
        change(&shards[shard][key, default: defaultValue()])
        count += shards[shard].count - before
    }

    /// Every key, in no particular order.
    var keys: some Sequence<String> { shards.lazy.flatMap(\.keys) }

    /// Every key and its value, in no particular order.
    var elements: some Sequence<(key: String, value: Value)> { shards.lazy.flatMap { $0 } }
}

extension ShardedDictionary: Sendable where Value: Sendable {}
