import Testing

@testable import LithairStorage

@Suite struct DurableFileTests {
    @Test func partsAreWrittenInOrderAcrossFlushBoundaries() throws {
        let dir = TemporaryDirectory()
        let chunk = DurableFile.flushEvery
        // Parts that end short of, exactly on, and past a flush boundary, and an empty one.
        let parts: [[UInt8]] = [
            [1, 2, 3], (0..<(chunk - 3)).map { UInt8(truncatingIfNeeded: $0) }, [],
            (0..<(2 * chunk + 17)).map { UInt8(truncatingIfNeeded: $0 &* 7) }, [9],
        ]
        try DurableFile.write(parts: parts, to: dir.file("f"))
        #expect(readFile(dir.file("f")) == parts.flatMap { $0 })
        #expect(!dir.names().contains { $0.hasSuffix(DurableFile.temporarySuffix) })
    }

    @Test func aLargeSnapshotRoundTripsAndKeepsItsChecksum() throws {
        let dir = TemporaryDirectory()
        let store = try SnapshotStore(directory: dir.path)
        let data = (0..<(3 * DurableFile.flushEvery + 5)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try store.save(metadata: SnapshotMetadata(index: 9, term: 2), data: data)
        let latest = try #require(try SnapshotStore(directory: dir.path).latest())
        #expect(latest.data == data)
        let file = try #require(try store.latestFile())
        #expect(file.checksum == CRC32C.checksum(readFile(file.path).dropLast(4)))
    }
}
