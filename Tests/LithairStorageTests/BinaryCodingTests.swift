import Testing

@testable import LithairStorage

@Suite struct BinaryCodingTests {
    private func sample() -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeUInt8(7)
        writer.writeBool(true)
        writer.writeUInt32(0xDEAD_BEEF)
        writer.writeUInt64(0x0123_4567_89AB_CDEF)
        writer.writeInt64(-42)
        writer.writeBytes([1, 2, 3])
        writer.writeString("héllo ✓")
        writer.writeRaw([9, 9])
        return writer.bytes
    }

    @Test func roundTrip() throws {
        var reader = BinaryReader(sample())
        #expect(try reader.readUInt8() == 7)
        #expect(try reader.readBool() == true)
        #expect(try reader.readUInt32() == 0xDEAD_BEEF)
        #expect(try reader.readUInt64() == 0x0123_4567_89AB_CDEF)
        #expect(try reader.readInt64() == -42)
        #expect(try reader.readBytes() == [1, 2, 3])
        #expect(try reader.readString() == "héllo ✓")
        #expect(try reader.readRaw(count: 2) == [9, 9])
        #expect(reader.isAtEnd)
        try reader.expectEnd()
    }

    @Test func littleEndianLayout() {
        var writer = BinaryWriter()
        writer.writeUInt32(0x0102_0304)
        writer.writeUInt64(0x0102_0304_0506_0708)
        #expect(writer.bytes == [4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1])
    }

    /// Every truncation of valid input fails with an error, never a trap.
    @Test func everyTruncationThrows() {
        let bytes = sample()
        for cut in 0..<bytes.count {
            var reader = BinaryReader(Array(bytes[..<cut]))
            #expect(throws: BinaryDecodingError.self) {
                _ = try reader.readUInt8()
                _ = try reader.readBool()
                _ = try reader.readUInt32()
                _ = try reader.readUInt64()
                _ = try reader.readInt64()
                _ = try reader.readBytes()
                _ = try reader.readString()
                _ = try reader.readRaw(count: 2)
            }
        }
    }

    @Test func garbageIsRejected() {
        // A length prefix far beyond the input must not allocate or trap.
        var huge = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 1, 2])
        #expect(throws: BinaryDecodingError.self) { try huge.readBytes() }
        #expect(huge.offset == 0)
        var utf8 = BinaryReader([2, 0, 0, 0, 0xC3, 0x28])
        #expect(throws: BinaryDecodingError.self) { try utf8.readString() }
        var bool = BinaryReader([2])
        #expect(throws: BinaryDecodingError.self) { try bool.readBool() }
        var raw = BinaryReader([1])
        #expect(throws: BinaryDecodingError.self) { try raw.readRaw(count: -1) }
        let trailing = BinaryReader([1, 2])
        #expect(throws: BinaryDecodingError.self) { try trailing.expectEnd() }
    }

    @Test func errorNamesTheOffset() {
        var reader = BinaryReader([1, 2, 3, 4, 5])
        _ = try? reader.readUInt32()
        do {
            _ = try reader.readUInt64()
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 4)
            #expect(error.description.contains("offset 4"))
        }
    }
}
