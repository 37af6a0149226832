import Testing

@testable import LithairStorage

@Suite struct SegmentedLogTests {
    /// Small segments so that a few dozen entries span several files.
    let small = LogOptions(segmentSizeBytes: 200)

    @Test func freshLogIsEmpty() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.file("log/nested"), options: small)
        #expect(log.firstIndex == 1)
        #expect(log.lastIndex == 0)
        #expect(log.term(at: 0) == nil)
        #expect(log.term(at: 1) == nil)
        #expect(try log.entries(from: 1, through: 0) == [])
        #expect(!log.recovery.didTruncate)
    }

    @Test func appendReadRestartAcrossSegments() throws {
        let dir = TemporaryDirectory()
        let written = makeEntries(1...30, term: 1) + makeEntries(31...60, term: 2)
        do {
            let log = try SegmentedLog(directory: dir.path, options: small)
            try log.append(Array(written[0..<10]))
            try log.append(Array(written[10...]))
            try log.sync()
            #expect(log.lastIndex == 60)
            #expect(try log.entries(from: 1, through: 60) == written)
            #expect(log.stats.segmentsCreated > 3)
        }
        #expect(segmentFiles(dir).count > 3)
        #expect(segmentFiles(dir).first!.hasSuffix("log-00000000000000000001.seg"))

        let reopened = try SegmentedLog(directory: dir.path, options: small)
        #expect(reopened.firstIndex == 1)
        #expect(reopened.lastIndex == 60)
        #expect(reopened.recovery.entriesRecovered == 60)
        #expect(!reopened.recovery.didTruncate)
        #expect(try reopened.entries(from: 1, through: 60) == written)
        #expect(try reopened.entries(from: 17, through: 43) == Array(written[16...42]))
        #expect(reopened.term(at: 30) == 1)
        #expect(reopened.term(at: 31) == 2)
        #expect(reopened.term(at: 61) == nil)
        // Appending continues where the recovered log ends.
        try reopened.append(makeEntries(61...61, term: 3))
        #expect(reopened.term(at: 61) == 3)
    }

    @Test func segmentsAreNamedByTheirFirstIndexAndRespectTheSizeLimit() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: small)
        try log.append(makeEntries(1...40))
        try log.sync()
        var next: UInt64 = 1
        for path in segmentFiles(dir) {
            #expect(path.hasSuffix(Segment.fileName(firstIndex: next)))
            #expect(fileSize(path) <= 200)
            // Walk to the next file's first index by counting this file's records.
            let bytes = readFile(path)
            var offset = 0
            while offset < bytes.count {
                offset += Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
                next += 1
            }
        }
        #expect(next == 41)
    }

    @Test func appendRejectsGapsAndOverlaps() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...3))
        let gap = expectStorageError { try log.append(makeEntries(5...5)) }
        #expect(gap?.kind == .invalidArgument)
        let overlap = expectStorageError { try log.append(makeEntries(3...4)) }
        #expect(overlap?.kind == .invalidArgument)
        let inner = expectStorageError {
            try log.append([LogEntry(index: 4, term: 1, payload: []), LogEntry(index: 6, term: 1, payload: [])])
        }
        #expect(inner?.kind == .invalidArgument)
        #expect(log.lastIndex == 3)
        #expect(log.stats.writeCalls == 1)
    }

    @Test func readingOutsideTheLogIsAnError() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...5))
        #expect(expectStorageError { _ = try log.entries(from: 4, through: 6) }?.kind == .invalidArgument)
        #expect(expectStorageError { _ = try log.entries(from: 0, through: 2) }?.kind == .invalidArgument)
    }

    @Test func truncateSuffixThenAppendThenRestart() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try SegmentedLog(directory: dir.path, options: small)
            try log.append(makeEntries(1...40, term: 1))
            try log.sync()
            try log.truncateSuffix(from: 25)
            #expect(log.lastIndex == 24)
            #expect(log.term(at: 25) == nil)
            try log.append(makeEntries(25...30, term: 2, tag: "new"))
            try log.sync()
            // Truncating past the end is a no-op; below the first index is refused.
            try log.truncateSuffix(from: 100)
            #expect(log.lastIndex == 30)
        }
        let log = try SegmentedLog(directory: dir.path, options: small)
        #expect(log.lastIndex == 30)
        #expect(
            try log.entries(from: 1, through: 30) == makeEntries(1...24, term: 1)
                + makeEntries(25...30, term: 2, tag: "new"))
    }

    @Test func truncateSuffixAtASegmentBoundaryAndToEmpty() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: small)
        try log.append(makeEntries(1...40))
        // The first index of the second segment: the whole segment (and all later ones) goes.
        let secondFirst = Segment.firstIndex(fromFileName: String(segmentFiles(dir)[1].split(separator: "/").last!))!
        try log.truncateSuffix(from: secondFirst)
        #expect(log.lastIndex == secondFirst - 1)
        #expect(segmentFiles(dir).count == 1)
        try log.truncateSuffix(from: 1)
        #expect(log.lastIndex == 0)
        #expect(log.firstIndex == 1)
        try log.append(makeEntries(1...3, term: 5))
        try log.sync()
        log.close()
        let reopened = try SegmentedLog(directory: dir.path, options: small)
        #expect(try reopened.entries(from: 1, through: 3) == makeEntries(1...3, term: 5))
        #expect(reopened.lastIndex == 3)
    }

    @Test func compactDeletesWholeSegmentsAndRestartKeepsFirstIndex() throws {
        let dir = TemporaryDirectory()
        let before: Int
        let first: UInt64
        do {
            let log = try SegmentedLog(directory: dir.path, options: small)
            try log.append(makeEntries(1...60))
            try log.sync()
            before = segmentFiles(dir).count
            try log.compact(through: 30)
            first = log.firstIndex
            #expect(first > 1)
            #expect(first <= 31)  // never drops an entry above the compaction point
            #expect(log.term(at: first - 1) == nil)
            #expect(try log.entries(from: first, through: 60) == makeEntries(first...60))
            #expect(log.stats.segmentsDeleted == UInt64(before - segmentFiles(dir).count))
            #expect(segmentFiles(dir).count < before)
            // Compacting far past the end keeps the segment taking appends.
            try log.compact(through: 1000)
            #expect(segmentFiles(dir).count == 1)
            #expect(log.lastIndex == 60)
        }
        let log = try SegmentedLog(directory: dir.path, options: small)
        #expect(log.firstIndex > first)
        #expect(log.lastIndex == 60)
        #expect(try log.entries(from: log.firstIndex, through: 60) == makeEntries(log.firstIndex...60))
        #expect(expectStorageError { try log.truncateSuffix(from: 1) }?.kind == .invalidArgument)
    }

    @Test func resetStartsOverAfterTheSnapshotIndex() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try SegmentedLog(directory: dir.path, options: small)
            try log.append(makeEntries(1...40))
            try log.sync()
            try log.reset(after: 100)
            #expect(log.firstIndex == 101)
            #expect(log.lastIndex == 100)
            #expect(log.term(at: 40) == nil)
            #expect(segmentFiles(dir) == [dir.file("log-00000000000000000101.seg")])
        }
        do {
            let log = try SegmentedLog(directory: dir.path, options: small)
            #expect(log.firstIndex == 101)
            #expect(log.lastIndex == 100)
            #expect(expectStorageError { try log.append(makeEntries(1...1)) }?.kind == .invalidArgument)
            try log.append(makeEntries(101...110, term: 9))
            try log.sync()
            // A reset into the middle of the log (conflicting snapshot) also drops everything.
            try log.reset(after: 105)
            #expect(log.firstIndex == 106)
            #expect(log.lastIndex == 105)
            try log.append(makeEntries(106...107, term: 10))
            try log.sync()
        }
        let log = try SegmentedLog(directory: dir.path, options: small)
        #expect(log.firstIndex == 106)
        #expect(try log.entries(from: 106, through: 107) == makeEntries(106...107, term: 10))
    }

    @Test func interruptedResetIsFinishedOnOpen() throws {
        let dir = TemporaryDirectory()
        do {
            let log = try SegmentedLog(directory: dir.path, options: small)
            try log.append(makeEntries(1...40))
            try log.sync()
        }
        // The state a crash between "create the new segment" and "delete the old ones" leaves.
        writeFile(dir.file(Segment.fileName(firstIndex: 500)), [])
        let log = try SegmentedLog(directory: dir.path, options: small)
        #expect(log.firstIndex == 500)
        #expect(log.lastIndex == 499)
        #expect(segmentFiles(dir).count == 1)
        #expect(!log.recovery.warnings.isEmpty)
    }

    @Test func oneWriteAndOneSyncPerBatch() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...500))
        try log.sync()
        #expect(log.stats.writeCalls == 1)
        #expect(log.stats.syncs == 1)
        #expect(log.stats.entriesAppended == 500)
        #expect(log.stats.bytesWritten == UInt64(fileSize(segmentFiles(dir)[0])))
        // Nothing new: sync does no I/O.
        try log.sync()
        #expect(log.stats.syncs == 1)
    }

    @Test func oneWritePerSegmentTouched() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: LogOptions(segmentSizeBytes: 4096))
        try log.append(makeEntries(1...500))
        try log.sync()
        let segments = segmentFiles(dir).count
        #expect(segments > 1)
        #expect(log.stats.writeCalls == UInt64(segments))
        // Rotation syncs the full segment before starting the next (so only the last can be torn).
        #expect(log.stats.syncs == UInt64(segments))
        #expect(log.stats.segmentsCreated == UInt64(segments))
    }

    @Test func boundedReadsForReplication() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: small)
        let all = makeEntries(1...50)
        try log.append(all)
        let batch = try log.entries(from: 10, through: 50, maxBytes: 200)
        #expect(!batch.isEmpty)
        #expect(batch == Array(all[9..<(9 + batch.count)]))
        #expect(batch.reduce(0) { $0 + 24 + $1.payload.count } <= 200)
        #expect(try log.entries(from: 10, through: 50, maxBytes: 1) == [all[9]])
    }

    @Test func closedLogRefusesWork() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...2))
        log.close()
        #expect(expectStorageError { try log.append(makeEntries(3...3)) }?.kind == .unusable)
        #expect(log.lastIndex == 2)
    }
}
