import Testing

@testable import LithairStorage

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI) test vectors.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func chainingEqualsOneShotAtEverySplit() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(bytes[..<split])
            #expect(CRC32C.checksum(bytes[split...], seed: first) == whole)
        }
    }

    @Test func nonContiguousCollectionsGiveTheSameResult() {
        let text = "The quick brown fox jumps over the lazy dog"
        #expect(CRC32C.checksum(text.utf8) == CRC32C.checksum(Array(text.utf8)))
        #expect(CRC32C.checksum(Array(text.utf8)) == 0x2262_0404)
    }

    @Test func combiningTwoChecksumsEqualsTheChecksumOfTheConcatenation() {
        let big = (0..<(DurableFile.flushEvery + 300)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let small = Array(big.prefix(400))
        for (bytes, splits) in [(small, Array(0...small.count)), (big, [1, 4_096, 65_537, big.count - 1])] {
            for split in splits {
                let first = CRC32C.checksum(bytes[..<split])
                let second = CRC32C.checksum(bytes[split...])
                let combined = CRC32C.combine(first, second, lengthOfSecond: bytes.count - split)
                #expect(combined == CRC32C.checksum(bytes), "split at \(split) of \(bytes.count)")
            }
        }
        #expect(CRC32C.combine(0xDEAD_BEEF, 0, lengthOfSecond: 0) == 0xDEAD_BEEF)
    }
}
