import LithairConsensus
import Testing

@testable import LithairCore

/// Mutates valid bodies at random: each result must decode to a message or throw, never trap.
/// A fixed seed keeps any failure reproducible.
@Suite struct RaftWireFuzzTests {
    /// Bytes that steer mutations toward the interesting parts of the grammar.
    private static let interesting: [UInt8] = Array(#"{}[]",:-.e0123456789=+/"#.utf8) + [0x00, 0x80, 0xFF]

    private func mutate(_ bytes: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: bytes.removeSubrange(position...)  // truncate
            case 1: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)  // flip a bit
            case 2: bytes[position] = Self.interesting.randomElement(using: &generator)!
            case 3: bytes.remove(at: position)
            default: bytes.insert(Self.interesting.randomElement(using: &generator)!, at: position)
            }
        }
        return bytes
    }

    @Test func mutatedBodiesNeverTrap() {
        var generator = SplitMix64(seed: 0x5EED)
        let seeds = RaftWireSamples.all.map { (RaftWireCodec.encode($0), RaftWireCodec.route(for: $0)) }
        var decoded = 0
        var rejected = 0
        for _ in 0..<20_000 {
            let (body, route) = seeds.randomElement(using: &generator)!
            let mutated = mutate(body, using: &generator)
            do {
                let maxEntries = Int.random(in: 3...5, using: &generator)
                let message = try RaftWireCodec.decode(mutated, route: route, maxEntries: maxEntries)
                // Whatever decodes must re-encode and decode to itself.
                #expect(try RaftWireCodec.decode(RaftWireCodec.encode(message), route: route) == message)
                decoded += 1
            } catch {
                #expect(!error.message.isEmpty)
                rejected += 1
            }
        }
        // Sanity: the fuzzer exercised both outcomes.
        #expect(decoded > 100 && rejected > 100, "decoded \(decoded), rejected \(rejected)")
    }

    @Test func mutatedBase64NeverTraps() {
        var generator = SplitMix64(seed: 64)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<12, using: &generator)
            let plain = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = mutate(Array(Base64.encode(plain).utf8), using: &generator)
            if let bytes = try? Base64.decode(text) {
                // Strictness: only the canonical text of the bytes is ever accepted.
                #expect(Array(Base64.encode(bytes).utf8) == text)
            }
        }
    }
}
