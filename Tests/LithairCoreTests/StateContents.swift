@testable import LithairCore

/// Everything a ``ModelState`` holds, equal exactly when two states are: applied index,
/// each collection's items in creation order and every id's history. Snapshot bytes are no
/// such measure, as the encoder writes ids in the map's order.
struct StateContents: Equatable, CustomStringConvertible {
    struct Item: Equatable {
        var id: String
        var version: UInt64
        var createdIndex: UInt64
        var bytes: [UInt8]
    }

    var appliedIndex: UInt64
    var items: [String: [Item]] = [:]
    var histories: [String: [String: [HistoryEntry]]] = [:]

    init(_ state: ModelState) {
        appliedIndex = state.appliedIndex
        for (name, collection) in state.collections {
            items[name] = collection.itemsInOrder.map {
                Item(id: $0.id, version: $0.item.version, createdIndex: $0.item.createdIndex, bytes: $0.item.bytes)
            }
            var byID: [String: [HistoryEntry]] = [:]
            collection.forEachRecord { id, record in byID[id] = record.history }
            histories[name] = byID
        }
    }

    var description: String {
        "applied \(appliedIndex), items \(items.mapValues(\.count)), histories \(histories.mapValues(\.count))"
    }
}
