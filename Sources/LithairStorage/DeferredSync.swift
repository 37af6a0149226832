/// The `fdatasync`s that ``SegmentedLog/sync()`` would make, taken out of the log to run on
/// another thread: a Raft leader's log is made durable while its loop goes on (its followers'
/// round trip overlaps its own sync instead of waiting behind it).
///
/// ``perform()`` touches no state of the log, only the files' descriptors; the log's owner must
/// not truncate, compact, reset or close the log until it has returned.
public struct DeferredSync: @unchecked Sendable {
    let files: [RawFile]
    let syncFault: ((_ path: String) -> Int32?)?
    /// The last index appended when the sync was taken: durable once ``perform()`` returns.
    public let lastIndex: UInt64

    /// Syncs every segment file written since the previous sync.
    public func perform() throws {
        for file in files { try file.dataSync(failingWith: syncFault) }
    }

    /// Syncs both this one's files and `later`'s (which covers more entries) in one ``perform()``.
    public func merged(with later: DeferredSync) -> DeferredSync {
        let extra = later.files.filter { file in !files.contains { $0.path == file.path } }
        return DeferredSync(files: files + extra, syncFault: syncFault, lastIndex: max(lastIndex, later.lastIndex))
    }
}

extension SegmentedLog {
    /// Takes the syncs ``sync()`` would make, for another thread to perform; `nil` if
    /// everything appended is already synced.
    ///
    /// Once ``DeferredSync/perform()`` has returned, report it with ``deferredSyncSucceeded(_:)``.
    /// If it throws, the log no longer knows what is durable: stop using it and reopen it.
    public func deferSync() throws -> DeferredSync? {
        try checkUsable()
        let files = segments.filter { unsynced.contains($0.firstIndex) }.map(\.file)
        guard !files.isEmpty else { return nil }
        unsynced.removeAll()
        return DeferredSync(files: files, syncFault: faults.sync, lastIndex: lastIndex)
    }

    /// A ``DeferredSync`` taken from this log completed.
    public func deferredSyncSucceeded(_ sync: DeferredSync) {
        syncedLastIndex = max(syncedLastIndex, min(sync.lastIndex, lastIndex))
        stats.syncs += UInt64(sync.files.count)
    }
}
