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

    @Test func failedSyncWhileRotatingDropsEverythingUnsynced() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: LogOptions(segmentSizeBytes: 300))
        try log.append(makeEntries(1...2))
        try log.sync()
        try log.append(makeEntries(3...4))  // written, not yet synced
        log.faults.sync = { _ in EIO }
        let error = expectStorageError { try log.append(makeEntries(5...40)) }  // must rotate, so must sync
        #expect(error?.kind == .io)
        #expect(log.lastIndex == 2)
        #expect(segmentFiles(dir).count == 1)
        log.faults.sync = nil
        try log.append(makeEntries(3...40))
        try log.sync()
        #expect(try log.entries(from: 1, through: 40) == makeEntries(1...40))
    }

    @Test func unrepairableFailureTakesTheLogOutOfServiceUntilReopened() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path)
        try log.append(makeEntries(1...5))
        try log.sync()
        // Part of the batch reaches the file and cannot be cut off again.
        log.faults.write = { _, length in .init(bytesWritten: length - 3, errno: EIO) }
        log.faults.truncate = { _ in EIO }
        let error = expectStorageError { try log.append(makeEntries(6...10)) }
        #expect(error?.kind == .io)
        #expect(log.lastIndex == 5)
        log.faults = LogFaultInjection()
        let refused = expectStorageError { try log.append(makeEntries(6...6)) }
        #expect(refused?.kind == .unusable)
        #expect(refused?.description.contains("reopen") == true)
        #expect(expectStorageError { try log.sync() }?.kind == .unusable)
        log.close()

        // Reopening keeps the records that were written whole (never acknowledged, which Raft
        // allows) and cuts the cut-off one as a torn tail.
        let reopened = try SegmentedLog(directory: dir.path)
        #expect(reopened.recovery.didTruncate)
        #expect(reopened.lastIndex == 9)
        try reopened.append(makeEntries(10...10))
        #expect(try reopened.entries(from: 1, through: 10) == makeEntries(1...10))
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
