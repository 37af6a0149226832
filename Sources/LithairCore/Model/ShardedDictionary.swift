/// A string-keyed dictionary split into shards, whose writes never copy it while a snapshot
/// holds a copy.
///
/// Snapshots are taken of a copy of the state, and a plain copy-on-write dictionary makes the
/// next writer copy everything the copy shares: every key and value, each a reference to
/// retain on a cold cache line. Measured on this machine with 64 shards, that held the node's
/// writes for 10–60 ms per turn, 100–150 ms in all, at 200,000 items. Here, while the shards
/// are shared, writes go to a side table of pending changes instead (reads look there first);
/// once the copy is gone, each write moves a few of them into the shards, so nothing is ever
/// copied whole. Shards still keep growth cheap: a rehash moves one shard, a 1/1024th of the
/// map.
///
/// Keys are stored with their hash (``HashedKey``): a lookup hashes the string once, for the
/// shard and the slot, and a probe compares stored hashes before it reads another key's
/// characters, which live in a heap object of their own (ids are longer than the 15 bytes a
/// string keeps inline) and are a cache miss each once the map outgrows the caches.
struct ShardedDictionary<Value> {
    private static var shardCount: Int { 1024 }
    /// Pending changes moved into the shards by each write once they are not shared.
    private static var drainedPerWrite: Int { 8 }

    /// The shards, in a class so that a write can tell whether a copy shares them. They are
    /// changed only through a uniquely held reference, never while another copy can read them.
    private final class Shards: @unchecked Sendable {
        var maps: [[HashedKey: Value]] = Array(repeating: [:], count: shardCount)
    }

    private var shards = Shards()
    /// Changes made while `shards` was shared: the new value, or `nil` for a removal.
    private var pending: [HashedKey: Value?] = [:]
    /// The number of keys.
    private(set) var count = 0

    private static func shard(of key: HashedKey) -> Int {
        Int(UInt(bitPattern: key.hash) % UInt(shardCount))
    }

    /// Changes waiting to be moved into the shards (tests watch it drain).
    var pendingCount: Int { pending.count }

    subscript(key: String) -> Value? {
        get { self[HashedKey(key)] }
        set {
            if let newValue {
                modify(key, default: newValue) { $0 = newValue }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    private subscript(key: HashedKey) -> Value? {
        if !pending.isEmpty, let change = pending[key] { return change }
        return shards.maps[Self.shard(of: key)][key]
    }

    /// Removes `key`; returns the value it had.
    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        let key = HashedKey(key)
        let shard = Self.shard(of: key)
        guard isKnownUniquelyReferenced(&shards) else {
            guard let current = self[key] else { return nil }
            pending[key] = .some(nil)
            count -= 1
            return current
        }
        settlePending(key, shard: shard)
        let removed = shards.maps[shard].removeValue(forKey: key)
        if removed != nil { count -= 1 }
        return removed
    }

    /// Changes the value of `key` in place, starting from `defaultValue` if it has none;
    /// returns what `change` returns.
    @discardableResult
    mutating func modify<Result>(
        _ key: String, default defaultValue: @autoclosure () -> Value, _ change: (inout Value) -> Result
    ) -> Result {
        let key = HashedKey(key)
        let shard = Self.shard(of: key)
        guard isKnownUniquelyReferenced(&shards) else {
            let current = self[key]
            var value = current ?? defaultValue()
            let result = change(&value)
            pending[key] = .some(value)
            if current == nil { count += 1 }
            return result
        }
        settlePending(key, shard: shard)
        let before = shards.maps[shard].count
        let result = change(&shards.maps[shard][key, default: defaultValue()])
        count += shards.maps[shard].count - before
        return result
    }

    /// With the shards held uniquely: moves the pending change of `key`, and a few others,
    /// into the shards. The keys' values stay what they were.
    private mutating func settlePending(_ key: HashedKey, shard: Int) {
        guard !pending.isEmpty else { return }
        if let change = pending.removeValue(forKey: key) { apply(change, to: key, shard: shard) }
        for _ in 0..<Self.drainedPerWrite {
            guard let (other, change) = pending.popFirst() else { return }
            apply(change, to: other, shard: Self.shard(of: other))
        }
    }

    private mutating func apply(_ change: Value?, to key: HashedKey, shard: Int) {
        if let change {
            shards.maps[shard][key] = change
        } else {
            shards.maps[shard].removeValue(forKey: key)
        }
    }

    /// Every key, in no particular order.
    var keys: some Sequence<String> { elements.lazy.map(\.key) }

    /// Calls `body` with the keys and values of each shard in turn: every entry once, none
    /// looked up, in no particular order.
    func forEachShard(_ body: ([(key: String, value: Value)]) throws -> Void) rethrows {
        var pendingByShard: [Int: [(key: String, value: Value)]] = [:]
        for (key, change) in pending {
            if let value = change { pendingByShard[Self.shard(of: key), default: []].append((key.string, value)) }
        }
        var entries: [(key: String, value: Value)] = []
        for (shard, map) in shards.maps.enumerated() {
            entries.removeAll(keepingCapacity: true)
            for (key, value) in map where pending.isEmpty || pending[key] == nil {
                entries.append((key.string, value))
            }
            entries += pendingByShard[shard] ?? []
            try body(entries)
        }
    }

    /// Every key and its value, in no particular order.
    var elements: AnySequence<(key: String, value: Value)> {
        let maps = shards.maps
        let pending = self.pending
        let all = maps.lazy.flatMap { $0 }
        guard !pending.isEmpty else { return AnySequence(all.map { (key: $0.key.string, value: $0.value) }) }
        let unchanged = all.filter { pending[$0.key] == nil }.map { (key: $0.key.string, value: $0.value) }
        let changed = pending.lazy.compactMap { key, change in change.map { (key: key.string, value: $0) } }
        return AnySequence([AnySequence(unchanged), AnySequence(changed)].joined())
    }
}

extension ShardedDictionary: Sendable where Value: Sendable {}

/// A string key with its hash, computed once per operation and kept beside the key in the
/// table.
struct HashedKey: Hashable, Sendable {
    let hash: Int
    let string: String

    init(_ string: String) {
        self.string = string
        self.hash = string.hashValue
    }

    static func == (lhs: HashedKey, rhs: HashedKey) -> Bool {
        lhs.hash == rhs.hash && lhs.string == rhs.string
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
