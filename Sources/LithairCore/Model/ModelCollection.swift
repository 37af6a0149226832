/// The items of one model, in creation order, with their histories.
struct ModelCollection: Sendable {
    private(set) var items = ShardedDictionary<StoredItem>()
    /// Ids in creation order. Deleted or re-created ids leave stale slots, skipped on read
    /// and compacted once they outnumber live items, so a delete costs O(1).
    private var order = ChunkedArray<(id: String, createdIndex: UInt64)>()
    private var staleSlots = 0
    private(set) var histories = ShardedDictionary<[HistoryEntry]>()

    var count: Int { items.count }

    subscript(id: String) -> StoredItem? { items[id] }

    mutating func insert(_ item: StoredItem, id: String) {
        if items[id] == nil { order.append((id, item.createdIndex)) }
        items[id] = item
    }

    mutating func remove(id: String) {
        guard items.removeValue(forKey: id) != nil else { return }
        staleSlots += 1
        if staleSlots > 64 && staleSlots > items.count { compactOrder() }
    }

    mutating func record(_ entry: HistoryEntry, for id: String) {
        histories.modify(id, default: []) { $0.append(entry) }
    }

    mutating func restoreHistory(_ entries: [HistoryEntry], for id: String) {
        histories[id] = entries
    }

    /// Live items in creation order.
    var itemsInOrder: some Sequence<(id: String, item: StoredItem)> {
        order.elements.lazy.compactMap { slot in
            guard let item = items[slot.id], item.createdIndex == slot.createdIndex else { return nil }
            return (slot.id, item)
        }
    }

    private mutating func compactOrder() {
        order.removeAll { slot in items[slot.id]?.createdIndex != slot.createdIndex }
        staleSlots = 0
    }
}
