import Testing

@testable import LithairStorage

@Suite struct LogRecoveryTests {
    let small = LogOptions(segmentSizeBytes: 200)

    /// Writes entries 1...count with small segments and returns the entries.
    private func populate(_ dir: TemporaryDirectory, count: UInt64 = 30) throws -> [LogEntry] {
        let entries = makeEntries(1...count)
        let log = try SegmentedLog(directory: dir.path, options: small)
        try log.append(entries)
        try log.sync()
        return entries
    }

    @Test func tornTailAtEveryByteOfTheLastRecord() throws {
        let template = TemporaryDirectory()
        let entries = try populate(template)
        let last = segmentFiles(template).last!
        let pristine = readFile(last)
        let recordSize = 24 + entries.last!.payload.count
        let recordStart = pristine.count - recordSize
        #expect(recordStart > 0)  // the last segment holds more than one record

        for cut in recordStart..<pristine.count {
            let dir = TemporaryDirectory()
            for file in segmentFiles(template) {
                writeFile(dir.file(String(file.split(separator: "/").last!)), readFile(file))
            }
            let torn = segmentFiles(dir).last!
            truncateFile(torn, to: cut)

            let log = try SegmentedLog(directory: dir.path, options: small)
            #expect(log.lastIndex == 29, "cut at \(cut)")
            #expect(log.recovery.didTruncate == (cut > recordStart), "cut at \(cut)")
            #expect(log.recovery.truncatedBytes == cut - recordStart, "cut at \(cut)")
            if cut > recordStart {
                #expect(log.recovery.truncatedFile == torn)
                #expect(log.recovery.truncatedAtOffset == recordStart)
                #expect(log.recovery.description.contains(torn))
            }
            #expect(fileSize(torn) == recordStart)
            #expect(try log.entries(from: 1, through: 29) == Array(entries[0..<29]))
            try log.append(makeEntries(30...31, term: 2))
            try log.sync()
            log.close()

            let again = try SegmentedLog(directory: dir.path, options: small)
            #expect(!again.recovery.didTruncate)
            #expect(try again.entries(from: 28, through: 31) == Array(entries[27..<29]) + makeEntries(30...31, term: 2))
        }
    }

    @Test func lastRecordFailingItsChecksumAtEndOfFileIsTorn() throws {
        let dir = TemporaryDirectory()
        let entries = try populate(dir)
        let last = segmentFiles(dir).last!
        flipByte(last, at: fileSize(last) - 1)
        let log = try SegmentedLog(directory: dir.path, options: small)
        #expect(log.lastIndex == 29)
        #expect(log.recovery.truncatedBytes == 24 + entries.last!.payload.count)
    }

    @Test func zeroFilledTailOfTheLastSegmentIsSpaceForAppends() throws {
        let dir = TemporaryDirectory()
        let entries = try populate(dir)
        let last = segmentFiles(dir).last!
        let records = fileSize(last)
        writeFile(last, readFile(last) + [UInt8](repeating: 0, count: 4096))
        // Segments large enough that entry 31 fits in the zeros.
        let log = try SegmentedLog(directory: dir.path, options: LogOptions(segmentSizeBytes: 1 << 16))
        #expect(log.lastIndex == 30)
        #expect(!log.recovery.didTruncate)
        #expect(log.recovery.warnings.isEmpty)
        try log.append(makeEntries(31...31))
        try log.sync()
        #expect(fileSize(last) == records + 4096)  // written over the zeros, not after them
        log.close()

        let again = try SegmentedLog(directory: dir.path, options: small)
        #expect(try again.entries(from: 1, through: 31) == entries + makeEntries(31...31))
    }

    @Test func zeroFilledTailOfAnEarlierSegmentIsCorruption() throws {
        let dir = TemporaryDirectory()
        _ = try populate(dir)
        let first = segmentFiles(dir).first!
        writeFile(first, readFile(first) + [UInt8](repeating: 0, count: 100))
        let error = expectStorageError("zero tail") { _ = try SegmentedLog(directory: dir.path, options: small) }
        #expect(error?.kind == .corrupt)
        #expect(error?.path == first)
    }

    @Test func flippedByteWithRecordsAfterItIsCorruption() throws {
        let dir = TemporaryDirectory()
        _ = try populate(dir)
        let last = segmentFiles(dir).last!
        let bytes = readFile(last)
        // The first record of the last segment has others after it: damage each of its bytes.
        let firstLength = Int(bytes[0]) | Int(bytes[1]) << 8
        for offset in 0..<firstLength {
            flipByte(last, at: offset)
            let error = expectStorageError("byte \(offset)") {
                _ = try SegmentedLog(directory: dir.path, options: small)
            }
            #expect(error?.kind == .corrupt)
            #expect(error?.path == last)
            #expect(error?.offset == 0)
            #expect(error?.description.contains("log segment \(last) is corrupt at offset 0") == true)
            flipByte(last, at: offset)
        }
        // Untouched again, it opens cleanly: nothing was "repaired" by the failed opens.
        let log = try SegmentedLog(directory: dir.path, options: small)
        #expect(log.lastIndex == 30)
    }

    @Test func corruptionInTheMiddleNamesFileAndOffset() throws {
        let dir = TemporaryDirectory()
        _ = try populate(dir)
        let last = segmentFiles(dir).last!
        let bytes = readFile(last)
        let secondStart = Int(bytes[0]) | Int(bytes[1]) << 8
        flipByte(last, at: secondStart + 26)  // a payload byte of the second record
        let error = expectStorageError { _ = try SegmentedLog(directory: dir.path, options: small) }
        #expect(error?.kind == .corrupt)
        #expect(
            error?.description
                == "log segment \(last) is corrupt at offset \(secondStart): checksum mismatch (refusing to start)")
    }

    @Test func damageInAnEarlierSegmentIsCorruptionEvenAtItsTail() throws {
        let dir = TemporaryDirectory()
        _ = try populate(dir)
        let first = segmentFiles(dir)[0]
        flipByte(first, at: fileSize(first) - 1)
        let error = expectStorageError { _ = try SegmentedLog(directory: dir.path, options: small) }
        #expect(error?.kind == .corrupt)
        #expect(error?.path == first)
        #expect(error?.description.contains(first) == true)

        let cut = TemporaryDirectory()
        _ = try populate(cut)
        let second = segmentFiles(cut)[1]
        truncateFile(second, to: fileSize(second) - 3)
        let truncated = expectStorageError { _ = try SegmentedLog(directory: cut.path, options: small) }
        #expect(truncated?.kind == .corrupt)
        #expect(truncated?.path == second)
    }

    @Test func missingSegmentIsCorruption() throws {
        let dir = TemporaryDirectory()
        _ = try populate(dir)
        let files = segmentFiles(dir)
        try FileSystem.remove(files[1])
        let error = expectStorageError { _ = try SegmentedLog(directory: dir.path, options: small) }
        #expect(error?.kind == .corrupt)
        #expect(error?.path == files[2])
        #expect(error?.description.contains("previous segment ends") == true)
    }

    @Test func recordWithTheWrongIndexIsCorruption() throws {
        let dir = TemporaryDirectory()
        _ = try populate(dir)
        // A well-formed record that does not belong: copy the first segment under a later name.
        let files = segmentFiles(dir)
        let stray = dir.file(Segment.fileName(firstIndex: 31))
        writeFile(stray, readFile(files[0]))
        let error = expectStorageError { _ = try SegmentedLog(directory: dir.path, options: small) }
        #expect(error?.kind == .corrupt)
        #expect(error?.path == stray)
        #expect(error?.description.contains("index out of sequence") == true)
    }
}
