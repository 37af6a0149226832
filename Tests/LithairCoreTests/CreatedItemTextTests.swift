import LithairConsensus
import Testing

@testable import LithairCore

/// A create applied from its entry's text must leave exactly what the parsing path leaves.
@Suite("Creates applied from their text")
struct CreatedItemTextTests {
    private let schemas = [ModelSchema(TestProduct.self, basePath: "/api/products")]

    /// Random JSON values of the kinds models hold, some with non-ASCII or escaped text.
    private func randomValue(_ random: inout SplitMix64, depth: Int = 0) -> JSONValue {
        switch random.next() % (depth > 2 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: random.next()) >> Int64(random.next() % 64))
        case 3: return .double(Double(Int64(random.next() % 100_000)) / 8)
        case 4:
            let pieces = ["a", "Z", " ", "\"", "\\", "\n", "\u{01}", "é", "世", "/", "tab\t"]
            return .string((0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % 11)] }.joined())
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default: return .object(randomObject(&random, depth: depth + 1))
        }
    }

    private func randomObject(_ random: inout SplitMix64, depth: Int = 0) -> [String: JSONValue] {
        let keys = ["name", "price", "id", "created_at", "updated_at", "a", "zz", "b_c", "é", "q\"k", ""]
        var object: [String: JSONValue] = [:]
        for _ in 0..<Int(random.next() % 7) {
            object[keys[Int(random.next() % 11)]] = randomValue(&random, depth: depth)
        }
        return object
    }

    /// The text the parsing path stores for a create of `body`.
    private func parsedPathText(body: [String: JSONValue], id: String, timestamp: String) -> [UInt8] {
        var object = body
        object[ServerFields.id] = .string(id)
        object[ServerFields.createdAt] = .string(timestamp)
        object[ServerFields.updatedAt] = .string(timestamp)
        return JSONWriter.bytes(.object(object))
    }

    @Test("for bodies the writer wrote, the text path gives the parsing path's bytes or declines")
    func sameBytesAsTheParsingPath() throws {
        var random = SplitMix64(seed: 42)
        var taken = 0
        for round in 0..<3_000 {
            let body = randomObject(&random)
            let text = JSONWriter.bytes(.object(body))
            let id = round % 5 == 0 ? "id with \"quotes\" é" : "p\(round)"
            let timestamp = Timestamp.rfc3339(millis: 1_700_000_000_000 + Int64(round))
            guard let fast = CreatedItemText.bytes(body: text, id: id, timestamp: timestamp) else {
                // Declined only for text outside the compact ASCII form: non-ASCII, escapes, or
                // integers of 19 digits (left to the parser's range rules).
                let printed = String(decoding: text, as: UTF8.self)
                #expect(
                    text.contains { $0 >= 0x80 || $0 == UInt8(ascii: "\\") } || printed.contains(/[0-9]{19}/),
                    "\(printed)")
                continue
            }
            taken += 1
            #expect(
                fast == parsedPathText(body: body, id: id, timestamp: timestamp),
                "\(String(decoding: text, as: UTF8.self))")
            #expect(
                try JSONParser.parse(fast) == JSONParser.parse(parsedPathText(body: body, id: id, timestamp: timestamp))
            )
        }
        #expect(taken > 1_000, "most bodies take the text path")
    }

    @Test(
        "text outside the compact form is declined",
        arguments: [
            #"{"name": "x"}"#, #" {"name":"x"}"#, #"{"b":1,"a":2}"#, #"{"a":1,"a":2}"#, #"{"a":1e5}"#,
            #"{"a":12345678901234567890}"#, #"{"a":"é"}"#, #"{"\u0061":1}"#, #"{"a":"\ud800"}"#, #"{"a":01}"#,
            #"{"a":[1,]}"#, #"{"a":tru}"#, #"{"a":1}x"#, #"["a"]"#, #"{"a":"x"#, #"{"a":-}"#, #"{"a":1.}"#,
            "{\"a\":\"\u{01}\"}", "",
            #"{"a":"# + String(repeating: "[", count: 40) + "1" + String(repeating: "]", count: 40) + "}",
        ])
    func declined(text: String) {
        #expect(CreatedItemText.bytes(body: Array(text.utf8), id: "x", timestamp: "t") == nil)
    }

    @Test("the longest accepted forms still parse to what they say")
    func acceptedEdgeCases() throws {
        let text = #"{"a":-0,"b":123456789012345678,"c":-1234567.89012345678,"d":"\u001f\n\/","e":{"b":1,"a":[{},[]]}}"#
        let fast = try #require(CreatedItemText.bytes(body: Array(text.utf8), id: "i", timestamp: "t"))
        let value = try JSONParser.parse(fast)
        #expect(value["b"] == .int(123_456_789_012_345_678))
        #expect(value["d"] == .string("\u{1F}\n/"))
        #expect(value["id"] == .string("i"))
    }

    /// Creates (some of an id that exists, some with bodies the text path declines), patches,
    /// replaces and deletes, encoded as a log holds them.
    private func log(count: Int, seed: UInt64) -> [ModelEvent] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { step in
            let id = "p\(random.next() % 30)"
            var body: [String: JSONValue] = [
                "name": .string(step % 7 == 0 ? "né \(step)" : "n\(step)"), "price": .int(Int64(step)),
            ]
            if step % 3 == 0 { body["tags"] = .array([.string("a"), .string("b")]) }
            let command: ModelCommand =
                switch random.next() % 5 {
                case 0, 1: .create(collection: "products", id: id, body: .object(body))
                case 2: .replace(collection: "products", id: id, body: .object(body), expectedVersion: nil)
                case 3:
                    .patch(
                        collection: "products", id: id, patch: .object(["price": .double(0.5)]), expectedVersion: nil)
                default: .delete(collection: "products", id: id, expectedVersion: nil)
                }
            return ModelEvent(command: command, timestampMillis: 1_700_000_000_000 + Int64(step))
        }
    }

    @Test("a log applied from its payloads leaves the state, outcomes and snapshot of the decoded log")
    func encodedApplyMatchesDecodedApply() throws {
        var decoded = ModelState(schemas: schemas)
        var encoded = ModelState(schemas: schemas)
        for (offset, event) in log(count: 600, seed: 5).enumerated() {
            let index = UInt64(offset + 1)
            let expected = decoded.apply(event, at: index)
            let outcome = try encoded.apply(encoded: ModelEventCodec.encode(event), at: index)
            #expect(outcome == expected, "entry \(index)")
        }
        #expect(encoded.appliedIndex == decoded.appliedIndex)
        #expect(StateContents(encoded) == StateContents(decoded))
        let products = try #require(encoded.collection("products"))
        let reference = try #require(decoded.collection("products"))
        for (id, item) in products.itemsInOrder {
            #expect(item.value == reference[id]?.value, "\(id): the lazily parsed value")
            #expect(products.history(of: id) == reference.history(of: id))
        }
        let sorted = try ListQuery(parameters: [("sort", "-price"), ("take", "1000")])
        #expect(products.list(sorted).jsonBytes == reference.list(sorted).jsonBytes)
        let filtered = try ListQuery(parameters: [("name", "n12")])
        #expect(products.list(filtered).jsonBytes == reference.list(filtered).jsonBytes)
    }

    @Test("a payload that is not an event is refused and changes nothing")
    func garbagePayload() {
        var state = ModelState(schemas: schemas)
        #expect(throws: (any Error).self) { try state.apply(encoded: [1, 1, 0, 0], at: 1) }
        #expect(state.appliedIndex == 0)
    }
}
