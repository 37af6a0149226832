import LithairStorage

/// The binary form of a whole ``ModelState``: what snapshots store and followers install.
///
/// Format 3 writes each id once, in one pass over the collection's map, in the map's order
/// (so two encodings of equal states may differ): its item if live, then its history
/// (histories travel with the items because the log before a snapshot is deleted). Restoring
/// orders the items by creation again. Formats 1 and 2 wrote the items in
/// creation order, then the histories, which took a map lookup per item (a cache miss each)
/// and a second pass; they are still read. Since format 2 the last version of a live item is
/// written once: its history entry says "the item as stored" instead of repeating the JSON.
enum ModelSnapshotCodec {
    private static let magic: UInt32 = 0x4C_54_48_53  // "LTHS"
    private static let formatVersion: UInt8 = 3

    /// Where a history entry's data is (formats 2 and 3).
    private enum DataSource: UInt8 {
        /// Length-prefixed JSON follows (empty for a delete).
        case inline = 0
        /// The item's current JSON, written with the item.
        case currentItem = 1
    }

    /// The whole snapshot in one buffer.
    static func encode(_ state: ModelState) -> [UInt8] {
        var whole = BinaryWriter()
        encode(state, into: &whole, flushingAt: .max) { _ in }
        return whole.bytes
    }

    /// The snapshot in pieces of about `pieceBytes`, handed to `emit` in order as they fill:
    /// one reused buffer instead of one the size of the whole state (49 MB at 100,000 items,
    /// whose fresh pages alone were a quarter of the encoding's CPU time).
    static func encode(_ state: ModelState, pieceBytes: Int, emit: ([UInt8]) throws -> Void) rethrows {
        var piece = BinaryWriter(reservingCapacity: pieceBytes + (pieceBytes >> 4))
        try encode(state, into: &piece, flushingAt: pieceBytes) { full in
            try emit(full.bytes)
            full.removeAll()
        }
        if !piece.bytes.isEmpty { try emit(piece.bytes) }
    }

    /// Writes `state` into `writer`, calling `flush` whenever it holds `limit` bytes or more.
    private static func encode(
        _ state: ModelState, into writer: inout BinaryWriter, flushingAt limit: Int,
        flush: (inout BinaryWriter) throws -> Void
    ) rethrows {
        writer.writeUInt32(magic)
        writer.writeUInt8(formatVersion)
        writer.writeUInt64(state.appliedIndex)
        let names = state.collections.keys.sorted()
        writer.writeUInt32(UInt32(names.count))
        for name in names {
            let collection = state.collections[name]!
            writer.writeString(name)
            writer.writeUInt32(UInt32(collection.historyCount))
            try collection.forEachRecord { id, record in
                writer.writeString(id)
                if let item = record.item {
                    writer.writeUInt8(1)
                    writer.writeUInt64(item.version)
                    writer.writeUInt64(item.createdIndex)
                    writer.writeBytes(item.bytes)
                } else {
                    writer.writeUInt8(0)
                }
                writeHistory(record.history, currentItem: record.item?.bytes, into: &writer)
                if writer.bytes.count >= limit { try flush(&writer) }
            }
        }
    }

    private static func writeHistory(
        _ entries: [HistoryEntry], currentItem current: [UInt8]?, into writer: inout BinaryWriter
    ) {
        writer.writeUInt32(UInt32(entries.count))
        for (position, entry) in entries.enumerated() {
            writer.writeUInt64(entry.index)
            writer.writeUInt8(entry.kind.rawValue)
            writer.writeInt64(entry.timestampMillis)
            // Usually one shared buffer, so the comparison is a pointer check.
            if position == entries.count - 1, let current, entry.dataBytes == current {
                writer.writeUInt8(DataSource.currentItem.rawValue)
            } else {
                writer.writeUInt8(DataSource.inline.rawValue)
                writer.writeBytes(entry.dataBytes)
            }
        }
    }

    static func decode(_ bytes: [UInt8], schemas: [ModelSchema]) throws -> ModelState {
        var reader = BinaryReader(bytes)
        guard try reader.readUInt32() == magic else { throw ModelCodecError(message: "not a Lithair model snapshot") }
        let version = try reader.readUInt8()
        guard (1...formatVersion).contains(version) else {
            throw ModelCodecError(message: "unknown snapshot format version \(version)")
        }
        let appliedIndex = try reader.readUInt64()
        var collections: [String: ModelCollection] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let name = try reader.readString()
            collections[name] =
                version == 3 ? try decodeRecords(&reader) : try decodeItemsThenHistories(&reader, version: version)
        }
        return ModelState(schemas: schemas, restoring: collections, appliedIndex: appliedIndex)
    }

    /// A format-3 collection: each id's item, if live, and history.
    private static func decodeRecords(_ reader: inout BinaryReader) throws -> ModelCollection {
        var collection = ModelCollection()
        for _ in 0..<(try reader.readUInt32()) {
            let id = try reader.readString()
            var item: StoredItem?
            switch try reader.readUInt8() {
            case 0: item = nil
            case 1: item = try readItem(&reader)
            default: throw ModelCodecError(message: "unknown item flag in snapshot")
            }
            let history = try readHistory(&reader, of: id, sourced: true) { item?.document }
            collection.restore(id: id, item: item, history: history)
        }
        collection.orderRestoredItems()
        return collection
    }

    /// A format-1 or -2 collection: items in creation order, then histories.
    private static func decodeItemsThenHistories(_ reader: inout BinaryReader, version: UInt8) throws
        -> ModelCollection
    {
        var collection = ModelCollection()
        for _ in 0..<(try reader.readUInt32()) {
            let id = try reader.readString()
            collection.restore(id: id, item: try readItem(&reader), history: [])
        }
        for _ in 0..<(try reader.readUInt32()) {
            let id = try reader.readString()
            let history = try readHistory(&reader, of: id, sourced: version >= 2) { [collection] in
                collection[id]?.document
            }
            collection.restoreHistory(history, for: id)
        }
        return collection
    }

    private static func readItem(_ reader: inout BinaryReader) throws -> StoredItem {
        let version = try reader.readUInt64()
        let createdIndex = try reader.readUInt64()
        let text = try reader.readBytes()
        return StoredItem(
            document: JSONDocument(bytes: text, value: try parse(text)), version: version, createdIndex: createdIndex)
    }

    /// One id's history; `currentItem` gives the item an entry may refer to (formats 2 and 3).
    private static func readHistory(
        _ reader: inout BinaryReader, of id: String, sourced: Bool, currentItem: () -> JSONDocument?
    ) throws -> [HistoryEntry] {
        var entries: [HistoryEntry] = []
        for _ in 0..<(try reader.readUInt32()) {
            let index = try reader.readUInt64()
            guard let kind = HistoryEntry.Kind(rawValue: try reader.readUInt8()) else {
                throw ModelCodecError(message: "unknown history event kind in snapshot")
            }
            let timestamp = try reader.readInt64()
            switch sourced ? DataSource(rawValue: try reader.readUInt8()) : .inline {
            case .inline:
                let data = try reader.readBytes()
                entries.append(
                    HistoryEntry(
                        index: index, kind: kind, timestampMillis: timestamp,
                        document: data.isEmpty ? nil : JSONDocument(bytes: data, value: try parse(data))))
            case .currentItem:
                guard let item = currentItem() else {
                    throw ModelCodecError(message: "history of '\(id)' refers to an item the snapshot lacks")
                }
                entries.append(HistoryEntry(index: index, kind: kind, timestampMillis: timestamp, document: item))
            case nil:
                throw ModelCodecError(message: "unknown history data source in snapshot")
            }
        }
        return entries
    }

    private static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ModelCodecError(message: "snapshot holds invalid JSON: \(error)")
        }
    }
}
