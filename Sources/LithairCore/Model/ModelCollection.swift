/// The items of one model, in creation order, with their histories.
///
/// An id's current item and its history live in one map entry (``Record``): a create or an
/// update is one lookup to check the item and one update that stores it and its history
/// entry, and a snapshot reads both with a single lookup. With 100,000s of items every lookup
/// is a cache miss (and two hashes of the id), so this halves the map work of each write.
struct ModelCollection: Sendable {
    /// One id: its current item (`nil` once deleted) and every version it has had.
    struct Record: Sendable {
        var item: StoredItem?
        var history: [HistoryEntry]
    }

    private var records = ShardedDictionary<Record>()
    /// Ids in creation order. Deleted or re-created ids leave stale slots, skipped on read
    /// and compacted once they outnumber live items, so a delete costs O(1).
    private var order = ChunkedArray<(id: String, createdIndex: UInt64)>()
    private var staleSlots = 0
    /// The number of live items.
    private(set) var count = 0

    subscript(id: String) -> StoredItem? { records[id]?.item }

    /// Every version `id` has had, oldest first, or `nil` if it never existed.
    func history(of id: String) -> [HistoryEntry]? { records[id]?.history }

    /// How many ids have a history: the live items and the deleted ones.
    var historyCount: Int { records.count }

    /// Writes set aside while a copy (a snapshot being written) shares the map.
    var pendingChanges: Int { records.pendingCount }

    /// Makes `item` the current version of `id` and appends `entry` to its history.
    mutating func store(_ item: StoredItem, id: String, recording entry: HistoryEntry) {
        var created = false
        records.modify(id, default: Record(item: nil, history: [])) { record in
            created = record.item == nil
            record.item = item
            record.history.append(entry)
        }
        if created { appendToOrder(id, item) }
    }

    /// Stores `item` as the item `id` unless `id` is a live item, with one lookup for both;
    /// returns whether it was stored.
    mutating func storeNew(_ item: StoredItem, id: String, recording entry: HistoryEntry) -> Bool {
        let stored = records.modify(id, default: Record(item: nil, history: [])) { record in
            guard record.item == nil else { return false }
            record.item = item
            record.history.append(entry)
            return true
        }
        if stored { appendToOrder(id, item) }
        return stored
    }

    /// Deletes the item `id`, appending `entry` (its deletion) to its history; nothing
    /// happens if there is no such live item.
    mutating func remove(id: String, recording entry: HistoryEntry) {
        guard self[id] != nil else { return }
        records.modify(id, default: Record(item: nil, history: [])) { record in
            record.item = nil
            record.history.append(entry)
        }
        count -= 1
        staleSlots += 1
        if staleSlots > 64 && staleSlots > count { compactOrder() }
    }

    /// Restores the history of `id` from a snapshot.
    mutating func restoreHistory(_ entries: [HistoryEntry], for id: String) {
        records.modify(id, default: Record(item: nil, history: [])) { $0.history = entries }
    }

    /// Restores `id` from a snapshot, records in any order: its item, if live, and its history
    /// (formats 1 and 2 restore histories after the items, with ``restoreHistory(_:for:)``).
    /// ``orderRestoredItems()`` then puts the items in creation order.
    mutating func restore(id: String, item: StoredItem?, history: [HistoryEntry]) {
        var created = false
        records.modify(id, default: Record(item: nil, history: [])) { record in
            created = record.item == nil && item != nil
            record = Record(item: item, history: history)
        }
        if created, let item { appendToOrder(id, item) }
    }

    /// Orders the items restored by ``restore(id:item:history:)`` by creation.
    mutating func orderRestoredItems() {
        let slots = Array(order.elements)
        guard !zip(slots, slots.dropFirst()).allSatisfy({ $0.createdIndex < $1.createdIndex }) else { return }
        order = ChunkedArray()
        for slot in slots.sorted(by: { $0.createdIndex < $1.createdIndex }) { order.append(slot) }
    }

    /// Every id with a live item or a history, with both, in one pass over the map (no
    /// lookup per id), in no particular order: not even the same for equal collections.
    func forEachRecord(_ body: (String, Record) throws -> Void) rethrows {
        try records.forEachShard { entries in
            for entry in entries { try body(entry.key, entry.value) }
        }
    }

    /// Live items in creation order.
    var itemsInOrder: some Sequence<(id: String, item: StoredItem)> {
        order.elements.lazy.compactMap { slot in
            guard let item = records[slot.id]?.item, item.createdIndex == slot.createdIndex else { return nil }
            return (slot.id, item)
        }
    }

    private mutating func appendToOrder(_ id: String, _ item: StoredItem) {
        order.append((id, item.createdIndex))
        count += 1
    }

    private mutating func compactOrder() {
        order.removeAll { slot in records[slot.id]?.item?.createdIndex != slot.createdIndex }
        staleSlots = 0
    }
}
