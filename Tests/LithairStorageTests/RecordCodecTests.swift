import Testing

@testable import LithairStorage

@Suite struct RecordCodecTests {
    @Test func roundTrip() {
        let entries = [
            LogEntry(index: 1, term: 1, payload: []),
            LogEntry(index: 2, term: 7, payload: Array("hello".utf8)),
            LogEntry(index: UInt64.max - 1, term: UInt64.max, payload: [UInt8](repeating: 0xAB, count: 1000)),
        ]
        var buffer: [UInt8] = []
        for entry in entries { RecordCodec.encode(entry, into: &buffer) }
        #expect(buffer.count == entries.reduce(0) { $0 + RecordCodec.encodedSize($1) })
        buffer.withUnsafeBytes { raw in
            var offset = 0
            for entry in entries {
                #expect((try? RecordCodec.decode(raw, at: offset).get()) == entry)
                offset += RecordCodec.encodedSize(entry)
            }
            #expect(RecordCodec.scan(raw, at: offset) == .end)
        }
    }

    @Test func headerLayout() {
        var buffer: [UInt8] = []
        RecordCodec.encode(LogEntry(index: 5, term: 3, payload: [0xAA]), into: &buffer)
        #expect(Array(buffer[0..<4]) == [25, 0, 0, 0])  // length includes the 24-byte header
        #expect(Array(buffer[8..<16]) == [5, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(buffer[16..<24]) == [3, 0, 0, 0, 0, 0, 0, 0])
        #expect(buffer[24] == 0xAA)
    }

    @Test func everyFlippedByteIsDetected() {
        var buffer: [UInt8] = []
        RecordCodec.encode(LogEntry(index: 9, term: 2, payload: Array("payload".utf8)), into: &buffer)
        for offset in buffer.indices {
            var damaged = buffer
            damaged[offset] ^= 0x01
            damaged.withUnsafeBytes { raw in
                if case .record = RecordCodec.scan(raw, at: 0) {
                    Issue.record("flipped byte \(offset) went unnoticed")
                }
            }
        }
    }

    @Test func zeroTailIsEndOfData() {
        let zeros = [UInt8](repeating: 0, count: 100)
        zeros.withUnsafeBytes { #expect(RecordCodec.scan($0, at: 0) == .end) }
        var notZero = zeros
        notZero[50] = 1
        notZero.withUnsafeBytes { #expect(RecordCodec.scan($0, at: 0) == .impossibleLength(0)) }
    }
}
