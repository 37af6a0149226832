import Foundation
import Testing

@testable import LithairStorage

@Suite struct LogPreallocationTests {
    let options = LogOptions(segmentSizeBytes: 64 << 10, preallocate: true)

    /// Waits (up to 60 s: the suite runs beside others on 2 cores) for the spare segment.
    private func waitForSpare(_ log: SegmentedLog) throws {
        let deadline = Date().addingTimeInterval(60)
        while !log.preparer!.hasSpare {
            try #require(Date() < deadline, "no spare segment prepared within 60 s")
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    @Test func appendsOverwriteTheZerosOfAPreparedSegment() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: options)
        let segment = segmentFiles(dir).last!
        #expect(readFile(segment) == [UInt8](repeating: 0, count: 64 << 10))
        let entries = makeEntries(1...20)
        try log.append(entries)
        try log.sync()
        #expect(fileSize(segment) == 64 << 10)
        log.close()

        let again = try SegmentedLog(directory: dir.path, options: options)
        #expect(!again.recovery.didTruncate)
        #expect(again.recovery.warnings.isEmpty)
        #expect(again.lastIndex == 20)
        try again.append(makeEntries(21...30))
        try again.sync()
        #expect(try again.entries(from: 1, through: 30) == entries + makeEntries(21...30))
        #expect(segmentFiles(dir) == [segment])
    }

    @Test func fullSegmentsAreCutToTheirRecordsAndSparesTakeOver() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: options)
        // Batches of ~21 KiB: a rotation every third or fourth batch, each with a spare ready.
        // All segments are 64 KiB here: the first sizes of the doubling (1 MiB on) are capped.
        var next: UInt64 = 1
        for _ in 0..<12 {
            try waitForSpare(log)
            let batch = (next...(next + 99)).map {
                LogEntry(index: $0, term: 1, payload: [UInt8](repeating: 7, count: 190))
            }
            try log.append(batch)
            try log.sync()
            next += 100
        }
        #expect(log.stats.segmentsCreated >= 4)
        #expect(log.stats.segmentsFromSpares == log.stats.segmentsCreated - 1)  // all but the first
        let files = segmentFiles(dir)
        #expect(files.count == Int(log.stats.segmentsCreated))
        for file in files.dropLast() {
            #expect(fileSize(file) % (24 + 190) == 0)  // whole records, no zeros after them
            #expect(fileSize(file) > 60 << 10)
            #expect(readFile(file).last == 7)
        }
        #expect(fileSize(files.last!) == 64 << 10)
        log.close()
        #expect(!FileManager.default.fileExists(atPath: dir.file(SegmentPreparer.fileName)))

        let again = try SegmentedLog(directory: dir.path, options: LogOptions(segmentSizeBytes: 64 << 10))
        #expect(again.lastIndex == 1200)
        #expect(!again.recovery.didTruncate)
        #expect(try again.entries(from: 1, through: 1200).allSatisfy { $0.payload.count == 190 })
    }

    @Test func aBatchLargerThanThePreparedSpaceGrowsTheSegment() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(
            directory: dir.path, options: LogOptions(segmentSizeBytes: 1 << 20, preallocate: true))
        // One 1.5 MiB record: larger than any segment, so it gets one of its own past the zeros.
        let big = LogEntry(index: 2, term: 1, payload: [UInt8](repeating: 9, count: 3 << 19))
        try log.append([LogEntry(index: 1, term: 1, payload: [1]), big, LogEntry(index: 3, term: 1, payload: [3])])
        try log.sync()
        log.close()

        let again = try SegmentedLog(directory: dir.path, options: LogOptions(segmentSizeBytes: 1 << 20))
        #expect(again.lastIndex == 3)
        #expect(try again.entries(from: 1, through: 3).map(\.payload.count) == [1, 3 << 19, 1])
    }

    @Test func aLeftoverSpareIsNeverUsed() throws {
        let dir = TemporaryDirectory()
        _ = try SegmentedLog(directory: dir.path, options: options)
        let spare = dir.file(SegmentPreparer.fileName)
        writeFile(spare, Array("half-written spare".utf8))

        let plain = try SegmentedLog(directory: dir.path)
        #expect(!FileManager.default.fileExists(atPath: spare))
        plain.close()

        writeFile(spare, Array("half-written spare".utf8))
        let log = try SegmentedLog(directory: dir.path, options: options)
        try waitForSpare(log)
        #expect(readFile(spare).allSatisfy { $0 == 0 })
        #expect(fileSize(spare) == 64 << 10)  // sizes double up to the segment size
    }

    /// Entries 1...20 in a prepared segment, closed; returns the segment and where its data ends.
    private func preparedLog(_ dir: TemporaryDirectory) throws -> (segment: String, dataEnd: Int) {
        let log = try SegmentedLog(directory: dir.path, options: options)
        try log.append(makeEntries(1...20))
        try log.sync()
        log.close()
        let segment = segmentFiles(dir).last!
        return (segment, makeEntries(1...20).reduce(0) { $0 + RecordCodec.encodedSize($1) })
    }

    @Test func zerosFollowedByARecordAreCorruptionNotTheEnd() throws {
        let dir = TemporaryDirectory()
        let (segment, dataEnd) = try preparedLog(dir)
        // Entry 21's place zeroed and entry 22 after it: a synced page lost, or a torn batch
        // whose later page reached the disk. Taking the zeros as the end would leave 22 to be
        // read back once a new 21 of the same size is appended: the log refuses instead.
        var stale: [UInt8] = []
        RecordCodec.encode(makeEntries(22...22)[0], into: &stale)
        var bytes = readFile(segment)
        let staleOffset = dataEnd + RecordCodec.encodedSize(makeEntries(21...21, term: 2)[0])
        bytes.replaceSubrange(staleOffset..<staleOffset + stale.count, with: stale)
        writeFile(segment, bytes)

        let error = expectStorageError { _ = try SegmentedLog(directory: dir.path, options: options) }
        #expect(error?.kind == .corrupt)
        #expect(error?.path == segment)
        #expect(error?.offset == dataEnd)
    }

    @Test func aRecordCutShortInsideTheZerosIsATornTail() throws {
        let dir = TemporaryDirectory()
        let (segment, dataEnd) = try preparedLog(dir)
        var bytes = readFile(segment)
        bytes[dataEnd - 1] = 0  // the last payload byte of entry 20 never reached the disk
        writeFile(segment, bytes)

        let log = try SegmentedLog(directory: dir.path, options: options)
        #expect(log.lastIndex == 19)
        #expect(log.recovery.didTruncate)
        try log.append(makeEntries(20...21, term: 2))
        try log.sync()
        #expect(try log.entries(from: 1, through: 21) == makeEntries(1...19) + makeEntries(20...21, term: 2))
    }

    @Test func truncatingAPreparedSegmentKeepsItsEntriesConsistent() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: options)
        try log.append(makeEntries(1...50))
        try log.sync()
        try log.truncateSuffix(from: 31)
        try log.append(makeEntries(31...40, term: 2))
        try log.sync()
        log.close()

        let again = try SegmentedLog(directory: dir.path, options: options)
        #expect(again.lastIndex == 40)
        #expect(try again.entries(from: 1, through: 40) == makeEntries(1...30) + makeEntries(31...40, term: 2))
    }
}
