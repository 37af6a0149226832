import Testing

@testable import LithairCore

@Suite struct JSONValueEncoderTests {
    private let encoder = JSONValueEncoder()
    private let decoder = JSONValueDecoder()

    @Test func encodesModelOmittingNilOptionals() throws {
        let product = JSONProduct(id: "p1", name: "Widget", price: 20, tags: nil)
        let value = try encoder.encode(product)
        #expect(value == testJSON(#"{"id":"p1","name":"Widget","price":20}"#))
        #expect(JSONWriter.string(value) == #"{"id":"p1","name":"Widget","price":20}"#)
        if case .double = value["price"] {} else { Issue.record("Double encodes as .double") }
    }

    @Test func roundTripsNestedModel() throws {
        let customer = JSONCustomer(
            id: "c1", name: "Ada", age: -36, score: 0.1, ratio: 0.25, small: 7, active: false, tags: [],
            nickname: "A", color: .red, priority: .low, address: JSONAddress(city: "Paris", zip: "75001"),
            previous: [JSONAddress(city: "Lyon", zip: nil)], matrix: [[1], [2, 3]], attributes: ["k": 9])
        let value = try encoder.encode(customer)
        #expect(value["color"] == .string("red"))
        #expect(value["priority"] == .int(1))
        #expect(value["attrs"] == .object(["k": .int(9)]))
        #expect(value["previous"] == testJSON(#"[{"city":"Lyon"}]"#))
        #expect(try decoder.decode(JSONCustomer.self, from: value) == customer)
        // And through text.
        let reparsed = try JSONParser.parse(JSONWriter.bytes(value))
        #expect(try decoder.decode(JSONCustomer.self, from: reparsed) == customer)
    }

    @Test func nestedContainersAndSuperEncoder() throws {
        let dog = JSONDog(name: "Rex", legs: 4, point: (1, 2))
        let value = try encoder.encode(dog)
        #expect(value == testJSON(#"{"name":"Rex","position":{"x":1,"y":2},"history":["born"],"super":{"legs":4}}"#))
        #expect(try decoder.decode(JSONDog.self, from: value) == dog)
    }

    @Test func primitivesAndCollections() throws {
        #expect(try encoder.encode("s") == .string("s"))
        #expect(try encoder.encode(UInt64.max) == .double(18_446_744_073_709_551_616.0))
        #expect(try encoder.encode(Int8(-3)) == .int(-3))
        #expect(try encoder.encode(Float(1.5)) == .double(1.5))
        #expect(try encoder.encode([1, 2]) == .array([.int(1), .int(2)]))
        #expect(try encoder.encode([String?.none, "a"]) == .array([.null, .string("a")]))
        #expect(try encoder.encode(["b": true]) == .object(["b": .bool(true)]))
        #expect(try encoder.encode(String?.none) == .null)
    }

    @Test func rejectsNonFiniteNumbers() {
        #expect(throws: EncodingError.self) { try encoder.encode(Double.nan) }
        #expect(throws: EncodingError.self) { try encoder.encode([Double.infinity]) }
        #expect(throws: EncodingError.self) {
            try encoder.encode(JSONProduct(id: "1", name: "n", price: -.infinity, tags: nil))
        }
        #expect(throws: EncodingError.self) { try encoder.encode(["f": Float.nan]) }
    }
}
