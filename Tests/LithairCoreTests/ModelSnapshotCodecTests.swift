import LithairConsensus
import LithairStorage
import Testing

@testable import LithairCore

@Suite("Snapshot format")
struct ModelSnapshotCodecTests {
    private let schemas = [ModelSchema(TestProduct.self, basePath: "/api/products")]

    /// Creates, updates and deletes over 40 ids.
    private func state(events count: Int) -> ModelState {
        var state = ModelState(schemas: schemas)
        var random = SplitMix64(seed: 5)
        for step in 0..<count {
            let id = "p\(random.next() % 40)"
            let body = JSONValue.object(["name": .string("n\(step)"), "price": .int(Int64(step))])
            let command: ModelCommand =
                switch random.next() % 3 {
                case 0: .create(collection: "products", id: id, body: body)
                case 1: .replace(collection: "products", id: id, body: body, expectedVersion: nil)
                default: .delete(collection: "products", id: id, expectedVersion: nil)
                }
            _ = state.apply(
                ModelEvent(command: command, timestampMillis: 1_700_000_000_000 + Int64(step)), at: UInt64(step + 1))
        }
        return state
    }

    /// `state` in format 1 or 2, as releases before format 3 wrote it: items in creation
    /// order, then histories; format 1 writes every history entry inline, format 2 says "the
    /// item as stored" for a live item's last version.
    private func legacyFormat(_ state: ModelState, version: UInt8) -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeUInt32(0x4C_54_48_53)
        writer.writeUInt8(version)
        writer.writeUInt64(state.appliedIndex)
        let names = state.collections.keys.sorted()
        writer.writeUInt32(UInt32(names.count))
        for name in names {
            let collection = state.collections[name]!
            writer.writeString(name)
            writer.writeUInt32(UInt32(collection.count))
            for (id, item) in collection.itemsInOrder {
                writer.writeString(id)
                writer.writeUInt64(item.version)
                writer.writeUInt64(item.createdIndex)
                writer.writeBytes(item.bytes)
            }
            let histories = collection.historiesInOrder
            writer.writeUInt32(UInt32(histories.count))
            for (id, entries) in histories {
                writer.writeString(id)
                writer.writeUInt32(UInt32(entries.count))
                for (position, entry) in entries.enumerated() {
                    writer.writeUInt64(entry.index)
                    writer.writeUInt8(entry.kind.rawValue)
                    writer.writeInt64(entry.timestampMillis)
                    if version == 1 {
                        writer.writeBytes(entry.dataBytes)
                    } else if position == entries.count - 1, let item = collection[id], item.bytes == entry.dataBytes {
                        writer.writeUInt8(1)
                    } else {
                        writer.writeUInt8(0)
                        writer.writeBytes(entry.dataBytes)
                    }
                }
            }
        }
        return writer.bytes
    }

    private func histories(_ state: ModelState) -> [String: [HistoryEntry]] {
        Dictionary(uniqueKeysWithValues: state.collection("products")!.historiesInOrder.map { ($0.id, $0.entries) })
    }

    @Test("format 1 and 2 snapshots still load", arguments: [1, 2] as [UInt8])
    func legacySnapshotsStillLoad(version: UInt8) throws {
        let original = state(events: 400)
        let restored = try ModelSnapshotCodec.decode(legacyFormat(original, version: version), schemas: schemas)
        #expect(StateContents(restored) == StateContents(original))
        #expect(histories(restored) == histories(original))
        #expect(restored.appliedIndex == 400)
    }

    @Test func formatThreeRoundTripsAndWritesEachIDAndLiveItemOnce() throws {
        let original = state(events: 400)
        let encoded = ModelSnapshotCodec.encode(original)
        let restored = try ModelSnapshotCodec.decode(encoded, schemas: schemas)
        #expect(histories(restored) == histories(original))
        #expect(StateContents(restored) == StateContents(original))
        let collection = original.collection("products")!
        let live = Array(collection.itemsInOrder)
        // Written in map order, restored in creation order.
        #expect(restored.collection("products")!.itemsInOrder.map(\.id) == live.map(\.id))
        // Against format 1: each live id once instead of twice, a one-byte live flag per id,
        // each live item's JSON and its length prefix left out of its history, a one-byte
        // data source per history entry, and no separate count of histories.
        let itemBytes = live.reduce(0) { $0 + $1.item.bytes.count }
        let idBytes = live.reduce(0) { $0 + 4 + $1.id.utf8.count }
        let histories = collection.historiesInOrder
        let entryCount = histories.reduce(0) { $0 + $1.entries.count }
        #expect(!live.isEmpty && histories.count > live.count, "deleted ids too")
        #expect(
            legacyFormat(original, version: 1).count - encoded.count
                == 4 + idBytes - histories.count + itemBytes + 4 * live.count - entryCount)
    }

    @Test func piecesConcatenateToTheWholeEncoding() throws {
        // Deleted and re-created ids included, so every section is cut somewhere.
        let original = state(events: 2_000)
        let whole = ModelSnapshotCodec.encode(original)
        for pieceBytes in [1, 64, 1_000, whole.count, 1 << 20] {
            var pieces: [[UInt8]] = []
            ModelSnapshotCodec.encode(original, pieceBytes: pieceBytes) { pieces.append($0) }
            #expect(pieces.flatMap { $0 } == whole)
            #expect(!pieces.contains { $0.isEmpty })
            // A piece is handed over once it reaches the size, at the next item or history.
            #expect(pieces.dropLast().allSatisfy { $0.count >= pieceBytes })
        }
    }

    @Test func aFailingConsumerStopsTheEncoding() {
        struct Full: Error {}
        var calls = 0
        #expect(throws: Full.self) {
            try ModelSnapshotCodec.encode(state(events: 2_000), pieceBytes: 64) { _ in
                calls += 1
                if calls == 3 { throw Full() }
            }
        }
        #expect(calls == 3)
    }

    @Test func aFormatThreeHistoryThatPointsAtNoItemOrAnUnknownFlagIsRejected() {
        for flag: UInt8 in [0, 2] {
            var writer = BinaryWriter()
            writer.writeUInt32(0x4C_54_48_53)
            writer.writeUInt8(3)
            writer.writeUInt64(1)
            writer.writeUInt32(1)
            writer.writeString("products")
            writer.writeUInt32(1)  // one id
            writer.writeString("ghost")
            writer.writeUInt8(flag)  // 0: no live item; 2: not a flag
            writer.writeUInt32(1)
            writer.writeUInt64(1)
            writer.writeUInt8(HistoryEntry.Kind.created.rawValue)
            writer.writeInt64(0)
            writer.writeUInt8(1)  // "the item as stored"
            #expect(throws: ModelCodecError.self) { try ModelSnapshotCodec.decode(writer.bytes, schemas: schemas) }
        }
    }

    @Test func aHistoryThatPointsAtAMissingItemIsRejected() {
        var writer = BinaryWriter()
        writer.writeUInt32(0x4C_54_48_53)
        writer.writeUInt8(2)
        writer.writeUInt64(1)
        writer.writeUInt32(1)
        writer.writeString("products")
        writer.writeUInt32(0)  // no items
        writer.writeUInt32(1)  // one history
        writer.writeString("ghost")
        writer.writeUInt32(1)
        writer.writeUInt64(1)
        writer.writeUInt8(HistoryEntry.Kind.created.rawValue)
        writer.writeInt64(0)
        writer.writeUInt8(1)  // "the item as stored"
        #expect(throws: ModelCodecError.self) { try ModelSnapshotCodec.decode(writer.bytes, schemas: schemas) }
    }
}

extension ModelCollection {
    /// The order formats 1 and 2 wrote histories in: live items' in creation order, then
    /// deleted items' by id.
    fileprivate var historiesInOrder: [(id: String, entries: [HistoryEntry])] {
        var live: [(createdIndex: UInt64, id: String, entries: [HistoryEntry])] = []
        var deleted: [(id: String, entries: [HistoryEntry])] = []
        forEachRecord { id, record in
            if let item = record.item {
                live.append((item.createdIndex, id, record.history))
            } else {
                deleted.append((id, record.history))
            }
        }
        return live.sorted { $0.createdIndex < $1.createdIndex }.map { ($0.id, $0.entries) }
            + deleted.sorted { $0.id < $1.id }
    }
}
