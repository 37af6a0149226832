import LithairConsensus
import Testing

@testable import LithairCore

/// Feeds random and mutated inputs to the parser: each must return a value or throw,
/// never trap. A fixed seed keeps failures reproducible.
@Suite struct JSONFuzzTests {
    private static let seeds: [String] = [
        #"{"id":"p1","name":"Widget","price":19.99,"tags":["a","b"],"created_at":"2026-01-01T00:00:00Z"}"#,
        #"[1,-2.5e10,true,false,null,"\u00e9\uD83D\uDE00\n",{"a":[[]]}]"#,
        #"{"deep":[[[[{"x":{"y":[1,2,3]}}]]]],"s":"héllo \"q\" \\ /"}"#,
        "-9223372036854775808",
        "0.000001e-5",
    ]

    private static let interesting: [UInt8] =
        Array(#"{}[]",:\-+.eE0123456789tfnu"#.utf8) + [
            0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xFF,
        ]

    private func mustNotTrap(_ bytes: [UInt8]) {
        do {
            let value = try JSONParser.parse(bytes, maxDepth: 16)
            // Whatever parses must write and re-parse to an equal value.
            let again = try JSONParser.parse(JSONWriter.bytes(value), maxDepth: 16)
            #expect(again == value)
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count)
        }
    }

    @Test func randomBytes() {
        var generator = SplitMix64(seed: 0x1234_5678)
        for _ in 0..<3_000 {
            let length = Int.random(in: 0..<48, using: &generator)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                bytes.append(
                    Bool.random(using: &generator)
                        ? Self.interesting.randomElement(using: &generator)!
                        : UInt8.random(in: 0...255, using: &generator))
            }
            mustNotTrap(bytes)
        }
    }

    @Test func mutatedDocuments() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<5_000 {
            var bytes = Array(Self.seeds.randomElement(using: &generator)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[index] = Self.interesting.randomElement(using: &generator)!
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                default: bytes = Array(bytes[..<index])
                }
                if bytes.isEmpty { break }
            }
            mustNotTrap(bytes)
        }
    }

    @Test func deepAndUnbalancedNesting() {
        for count in [17, 200, 10_000] {
            mustNotTrap(Array(String(repeating: "[", count: count).utf8))
            mustNotTrap(Array(String(repeating: "{\"a\":", count: count).utf8))
            mustNotTrap(Array(String(repeating: "]", count: count).utf8))
        }
    }
}
