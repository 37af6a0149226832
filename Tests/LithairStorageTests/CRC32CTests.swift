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

@Suite struct CRC32CInstructionTests {
    @Test func theInstructionAndTheTablesAgreeAtEveryLengthAndAlignment() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<4_200).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 400, 4_096, 4_191 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + length])
                    for seed: UInt32 in [0, 0xDEAD_BEEF] {
                        #expect(
                            CRC32C.checksum(slice, seed: seed) == CRC32C.softwareChecksum(slice, seed: seed),
                            "start \(start), length \(length)")
                    }
                }
            }
        }
        // This machine has the instruction: without it the comparison above proves nothing.
        #if arch(x86_64)
            #expect(CRC32C.hardwareAvailable)
        #endif
    }
}
