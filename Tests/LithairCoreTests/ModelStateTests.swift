import LithairConsensus
import Testing

@testable import LithairCore

@Suite("State machine")
struct ModelStateTests {
    private let schemas = [ModelSchema(TestProduct.self, basePath: "/api/products")]

    /// A deterministic mix of every command kind, including ones that must be rejected.
    private func events(count: Int, seed: UInt64) -> [ModelEvent] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { step in
            let id = "p\(random.next() % 20)"
            let body = JSONValue.object(["name": .string("n\(step)"), "price": .int(Int64(step))])
            let expected: UInt64? = random.next() % 4 == 0 ? random.next() % UInt64(step + 1) : nil
            let command: ModelCommand =
                switch random.next() % 4 {
                case 0: .create(collection: "products", id: id, body: body)
                case 1: .replace(collection: "products", id: id, body: body, expectedVersion: expected)
                case 2:
                    .patch(
                        collection: "products", id: id, patch: .object(["price": .double(0.5)]),
                        expectedVersion: expected)
                default: .delete(collection: "products", id: id, expectedVersion: expected)
                }
            return ModelEvent(command: command, timestampMillis: 1_700_000_000_000 + Int64(step))
        }
    }

    @Test("snapshot + replay of the tail equals full replay", arguments: [1, 37, 150, 299])
    func snapshotPlusReplayEqualsFullReplay(cut: Int) throws {
        let log = events(count: 300, seed: 7)
        var full = ModelState(schemas: schemas)
        for (offset, event) in log.enumerated() { _ = full.apply(event, at: UInt64(offset + 1)) }

        var prefix = ModelState(schemas: schemas)
        for (offset, event) in log.prefix(cut).enumerated() { _ = prefix.apply(event, at: UInt64(offset + 1)) }
        var restored = try ModelSnapshotCodec.decode(ModelSnapshotCodec.encode(prefix), schemas: schemas)
        for (offset, event) in log.enumerated().dropFirst(cut) { _ = restored.apply(event, at: UInt64(offset + 1)) }

        #expect(StateContents(restored) == StateContents(full))
        #expect(
            restored.collection("products")?.list(ListQuery()).jsonBytes
                == full.collection("products")?.list(ListQuery()).jsonBytes)
    }

    @Test("writes while a snapshot copy is held leave the copy as it was and settle once it is gone")
    func writesWhileASnapshotCopyIsHeld() throws {
        let log = events(count: 400, seed: 13)
        var reference = ModelState(schemas: schemas)
        var live = ModelState(schemas: schemas)
        for (offset, event) in log.prefix(150).enumerated() {
            _ = reference.apply(event, at: UInt64(offset + 1))
            _ = live.apply(event, at: UInt64(offset + 1))
            #expect(live.collection("products")?.pendingChanges == 0, "no copy: writes go straight in")
        }
        let atCopy = StateContents(reference)
        var held: ModelState? = live
        for (offset, event) in log.enumerated().dropFirst(150).prefix(150) {
            _ = reference.apply(event, at: UInt64(offset + 1))
            _ = live.apply(event, at: UInt64(offset + 1))
        }
        #expect(try #require(live.collection("products")).pendingChanges > 0)
        #expect(StateContents(try #require(held)) == atCopy, "the copy is the state when taken")
        #expect(StateContents(live) == StateContents(reference))
        held = nil
        for (offset, event) in log.enumerated().dropFirst(300) {
            _ = reference.apply(event, at: UInt64(offset + 1))
            _ = live.apply(event, at: UInt64(offset + 1))
        }
        #expect(live.collection("products")?.pendingChanges == 0)
        #expect(StateContents(live) == StateContents(reference))
        #expect(
            live.collection("products")?.list(ListQuery()).jsonBytes
                == reference.collection("products")?.list(ListQuery()).jsonBytes)
    }

    @Test("a deleted and re-created id lists at its new place and keeps one history")
    func recreatedIDsListAtTheirNewPlace() throws {
        var state = ModelState(schemas: schemas)
        var index: UInt64 = 0
        func apply(_ command: ModelCommand) -> ApplyOutcome {
            index += 1
            return state.apply(ModelEvent(command: command, timestampMillis: 1_700_000_000_000), at: index)
        }
        let body = JSONValue.object(["name": .string("n"), "price": .int(1)])
        for id in ["a", "b", "c"] { _ = apply(.create(collection: "products", id: id, body: body)) }
        _ = apply(.delete(collection: "products", id: "b", expectedVersion: nil))
        #expect(apply(.delete(collection: "products", id: "b", expectedVersion: nil)) == .notFound(id: "b"))
        _ = apply(.create(collection: "products", id: "b", body: body))
        let collection = try #require(state.collection("products"))
        #expect(collection.itemsInOrder.map(\.id) == ["a", "c", "b"])
        #expect(collection.count == 3)
        #expect(collection.history(of: "b")?.map(\.kind) == [.created, .deleted, .created])
        #expect(collection.history(of: "zz") == nil)

        for id in ["a", "b", "c"] { _ = apply(.delete(collection: "products", id: id, expectedVersion: nil)) }
        let emptied = try #require(state.collection("products"))
        #expect(emptied.count == 0 && Array(emptied.itemsInOrder).isEmpty)
        #expect(emptied.historyCount == 3)
        var deleted: [String] = []
        emptied.forEachRecord { id, record in if record.item == nil { deleted.append(id) } }
        #expect(deleted.sorted() == ["a", "b", "c"])
    }

    @Test("events survive their binary encoding")
    func eventCodecRoundTrip() throws {
        for event in events(count: 200, seed: 3) {
            #expect(try ModelEventCodec.decode(ModelEventCodec.encode(event)) == event)
        }
    }

    @Test("garbage payloads are rejected, not trusted")
    func eventCodecRejectsGarbage() {
        var random = SplitMix64(seed: 11)
        let valid = ModelEventCodec.encode(events(count: 1, seed: 1)[0])
        for length in 0..<valid.count {
            #expect(throws: (any Error).self) { try ModelEventCodec.decode(Array(valid.prefix(length))) }
        }
        for _ in 0..<500 {
            let bytes = (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            _ = try? ModelEventCodec.decode(bytes)
        }
    }

    @Test("timestamps format as RFC 3339 UTC")
    func timestamps() {
        #expect(Timestamp.rfc3339(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(millis: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(Timestamp.rfc3339(millis: 1_795_823_999_999) == "2026-11-27T23:59:59.999Z")
        #expect(Timestamp.rfc3339(millis: -1) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339(millis: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339(millis: 253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(millis: -62_167_219_200_000) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(millis: 1_000_000_000_000) == "2001-09-09T01:46:40.000Z")
        #expect(Timestamp.rfc3339(millis: 1_709_164_800_007) == "2024-02-29T00:00:00.007Z")
    }
}
