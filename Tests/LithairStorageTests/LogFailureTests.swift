import Testing

@testable import LithairStorage

#if canImport(Glibc)
    import Glibc
#endif

/// The disk refusing writes or syncs: the log must not claim what it could not store.
@Suite struct LogFailureTests {
    @Test func failedWriteLeavesNothingBehind() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...10))
        try log.sync()
        let size = fileSize(segmentFiles(dir)[0])

        // Half the batch reaches the file, then the disk is full.
        log.faults.write = { _, length in .init(bytesWritten: length / 2, errno: ENOSPC) }
        let error = expectStorageError { try log.append(makeEntries(11...20)) }
        #expect(error?.kind == .noSpace)
        #expect(error?.path == segmentFiles(dir)[0])
        #expect(error?.description.contains("No space left on device") == true)
        #expect(log.lastIndex == 10)
        #expect(log.term(at: 11) == nil)
        #expect(fileSize(segmentFiles(dir)[0]) == size)

        // Once space is back, the same batch goes in and survives a restart.
        log.faults.write = nil
        try log.append(makeEntries(11...20))
        try log.sync()
        log.close()
        let reopened = try SegmentedLog(directory: dir.path)
        #expect(!reopened.recovery.didTruncate)
        #expect(try reopened.entries(from: 1, through: 20) == makeEntries(1...20))
    }

    @Test func failedWriteInANewSegmentRemovesIt() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: LogOptions(segmentSizeBytes: 300))
        try log.append(makeEntries(1...3))
        try log.sync()
        let before = segmentFiles(dir)
        let size = fileSize(before[0])
        var writes = 0
        log.faults.write = { _, _ in
            writes += 1
            return writes == 2 ? .init(bytesWritten: 10, errno: EIO) : nil
        }
        let error = expectStorageError { try log.append(makeEntries(4...30)) }
        #expect(error?.kind == .io)
        #expect(log.lastIndex == 3)
        #expect(segmentFiles(dir) == before)
        #expect(fileSize(before[0]) == size)
        log.faults.write = nil
        try log.append(makeEntries(4...30))
        try log.sync()
        #expect(try log.entries(from: 1, through: 30) == makeEntries(1...30))
    }

    @Test func failedSyncDropsTheUnsyncedEntries() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...5))
        try log.sync()
        try log.append(makeEntries(6...9))
        log.faults.sync = { _ in EIO }
        let error = expectStorageError { try log.sync() }
        #expect(error?.kind == .io)
        #expect(error?.description.contains("fdatasync") == true)
        #expect(log.lastIndex == 5)
        log.faults.sync = nil
        // The log is still usable; the entries can be appended again.
        try log.append(makeEntries(6...9, term: 2))
        try log.sync()
        log.close()
        let reopened = try SegmentedLog(directory: dir.path)
        #expect(try reopened.entries(from: 1, through: 9) == makeEntries(1...5) + makeEntries(6...9, term: 2))
    }

    @Test func readOnlyFileSystemIsReportedAsSuch() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        log.faults.write = { _, _ in .init(bytesWritten: 0, errno: EROFS) }
        let error = expectStorageError { try log.append(makeEntries(1...1)) }
        #expect(error?.kind == .readOnly)
        #expect(log.lastIndex == 0)
    }
}
