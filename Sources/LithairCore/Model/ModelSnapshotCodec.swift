import LithairStorage

/// The binary form of a whole ``ModelState``: what snapshots store and followers install.
///
/// Items are written in creation order so that a restored collection lists them in the same
/// order; histories travel with the items because the log before a snapshot is deleted.
///
/// Format 2 (format 1 is still read) writes the last version of a live item once: its history
/// entry says "the item as stored" instead of repeating the item's JSON, which was about half
/// of a snapshot of freshly created items.
enum ModelSnapshotCodec {
    private static let magic: UInt32 = 0x4C_54_48_53  // "LTHS"
    private static let formatVersion: UInt8 = 2

    /// Where a format-2 history entry's data is.
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
    ///
    /// Each live item is looked up once (the map holds 100,000s of items, and every lookup is
    /// a cache miss); deleted items' histories are gathered only when there are some.
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
            // One lookup per live item, for both sections.
            let live = Array(collection.recordsInOrder)
            writer.writeString(name)
            writer.writeUInt32(UInt32(live.count))
            for (id, item, _) in live {
                writer.writeString(id)
                writer.writeUInt64(item.version)
                writer.writeUInt64(item.createdIndex)
                writer.writeBytes(item.bytes)
                if writer.bytes.count >= limit { try flush(&writer) }
            }
            // Histories: live items' in creation order, then deleted items' by id.
            writer.writeUInt32(UInt32(collection.historyCount))
            for (id, item, history) in live {
                writeHistory(history, of: id, currentItem: item.bytes, into: &writer)
                if writer.bytes.count >= limit { try flush(&writer) }
            }
            if collection.historyCount > live.count {
                for (id, history) in collection.deletedHistories {
                    writeHistory(history, of: id, currentItem: nil, into: &writer)
                    if writer.bytes.count >= limit { try flush(&writer) }
                }
            }
        }
    }

    private static func writeHistory(
        _ entries: [HistoryEntry], of id: String, currentItem current: [UInt8]?, into writer: inout BinaryWriter
    ) {
        writer.writeString(id)
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
        guard version == 1 || version == formatVersion else {
            throw ModelCodecError(message: "unknown snapshot format version \(version)")
        }
        let appliedIndex = try reader.readUInt64()
        var collections: [String: ModelCollection] = [:]
        for _ in 0..<(try reader.readUInt32()) {
            let name = try reader.readString()
            var collection = ModelCollection()
            for _ in 0..<(try reader.readUInt32()) {
                let id = try reader.readString()
                let version = try reader.readUInt64()
                let createdIndex = try reader.readUInt64()
                let text = try reader.readBytes()
                let document = JSONDocument(bytes: text, value: try parse(text))
                collection.insert(StoredItem(document: document, version: version, createdIndex: createdIndex), id: id)
            }
            for _ in 0..<(try reader.readUInt32()) {
                let id = try reader.readString()
                var entries: [HistoryEntry] = []
                for _ in 0..<(try reader.readUInt32()) {
                    let index = try reader.readUInt64()
                    guard let kind = HistoryEntry.Kind(rawValue: try reader.readUInt8()) else {
                        throw ModelCodecError(message: "unknown history event kind in snapshot")
                    }
                    let timestamp = try reader.readInt64()
                    let source = version == 1 ? .inline : DataSource(rawValue: try reader.readUInt8())
                    switch source {
                    case .inline:
                        let data = try reader.readBytes()
                        entries.append(
                            HistoryEntry(
                                index: index, kind: kind, timestampMillis: timestamp,
                                document: data.isEmpty ? nil : JSONDocument(bytes: data, value: try parse(data))))
                    case .currentItem:
                        guard let item = collection[id] else {
                            throw ModelCodecError(message: "history of '\(id)' refers to an item the snapshot lacks")
                        }
                        entries.append(
                            HistoryEntry(index: index, kind: kind, timestampMillis: timestamp, document: item.document))
                    case nil:
                        throw ModelCodecError(message: "unknown history data source in snapshot")
                    }
                }
                collection.restoreHistory(entries, for: id)
            }
            collections[name] = collection
        }
        return ModelState(schemas: schemas, restoring: collections, appliedIndex: appliedIndex)
    }

    private static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ModelCodecError(message: "snapshot holds invalid JSON: \(error)")
        }
    }
}
