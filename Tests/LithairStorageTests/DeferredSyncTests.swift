import Foundation
import Synchronization
import Testing

@testable import LithairStorage

@Suite("Deferred syncs")
struct DeferredSyncTests {
    private let options = LogOptions(segmentSizeBytes: 512)

    @Test("a deferred sync covers every segment written since the last sync, on another thread")
    func deferredSyncCoversTheWrittenSegments() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: options)
        #expect(try log.deferSync() == nil, "nothing written, nothing to sync")

        try log.append(makeEntries(1...40))
        let synced = Mutex<[String]>([])
        log.faults.sync = { path in
            synced.withLock { $0.append(path) }
            return nil
        }
        let sync = try #require(try log.deferSync())
        #expect(sync.lastIndex == 40)
        #expect(try log.deferSync() == nil, "handed over once")
        let before = log.stats.syncs
        try Thread.detachAndWait { try sync.perform() }
        log.deferredSyncSucceeded(sync)
        #expect(log.stats.syncs == before + UInt64(sync.files.count))
        #expect(Set(synced.withLock { $0 }).contains(segmentFiles(dir).last!), "the segment taking appends")

        // Appends while a sync is out are in the next one; merged, one perform syncs both.
        try log.append(makeEntries(41...45))
        let later = try #require(try log.deferSync())
        let merged = sync.merged(with: later)
        #expect(merged.lastIndex == 45)
        #expect(Set(merged.files.map(\.path)) == Set(sync.files.map(\.path) + later.files.map(\.path)))
    }

    @Test("a failed deferred sync throws the fdatasync error naming the segment")
    func failedDeferredSync() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentedLog(directory: dir.path, options: options)
        try log.append(makeEntries(1...3))
        log.faults.sync = { _ in EIO }
        let sync = try #require(try log.deferSync())
        #expect {
            try sync.perform()
        } throws: { error in
            String(describing: error).contains("fdatasync") && String(describing: error).contains("log-")
        }
    }
}

extension Thread {
    /// Runs `body` on a new thread and waits for it (the log's owner and its syncs are different threads).
    static func detachAndWait(_ body: @escaping @Sendable () throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Thread.detachNewThread {
            do { try body() } catch { failure.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
