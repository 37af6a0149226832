#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Raft log on disk: append-only segment files of checksummed records, with an in-memory
/// index (segment, offset and term of every entry) so that ``term(at:)`` costs no I/O and
/// ``entries(from:through:)`` is one `pread` per segment.
///
/// Durability is explicit and batched: ``append(_:)`` encodes a whole batch into one buffer and
/// issues one `write` per segment it touches; ``sync()`` then issues one `fdatasync` per segment
/// written since the previous sync. Appended entries are durable once `sync()` returns; the node
/// acknowledges nothing before that. On open, the log scans every segment: a torn tail (the
/// trace of a crash during an unsynced write) is cut off and reported in ``recovery``; anything
/// else that does not check out throws ``StorageError`` naming the file and offset.
///
/// After a failed write or sync, the log rolls back: it no longer claims the entries that were
/// not made durable, and the caller can report the error and retry later. If even the rollback
/// fails, the log refuses further use (``StorageError/Kind/unusable``) until it is reopened.
///
/// Not thread-safe: owned by exactly one actor or thread.
public final class SegmentedLog {
    /// The directory holding the segment files.
    public let directory: String
    /// The options the log was opened with.
    public let options: LogOptions
    /// What the log found and repaired when it opened.
    public internal(set) var recovery: LogRecoveryReport
    /// Work counters since open.
    public internal(set) var stats = LogStats()

    /// Sorted by first index, contiguous, never empty while open. The last one takes appends.
    var segments: [Segment] = []
    /// First indexes of segments written (or cut) since the last successful sync.
    var unsynced: Set<UInt64> = []
    /// Every entry up to here is on disk and synced; a failed sync rolls back to it.
    var syncedLastIndex: UInt64 = 0
    /// Set when a rollback failed: the in-memory view may no longer match the files.
    private var brokenBy: StorageError?
    /// Set by a failed `fdatasync` during an append (segment rotation), so the append's error
    /// path also drops the earlier unsynced entries.
    private var syncFailed = false
    private var isClosed = false
    /// Test hook: fails chosen writes and syncs as if the disk had.
    var faults = LogFaultInjection()
    /// Zero-fills the next segment in the background (with ``LogOptions/preallocate``).
    let preparer: SegmentPreparer?
    /// How large the next prepared segment is: doubling from ``smallestPreparedBytes`` up to
    /// the segment size.
    private var nextPreparedBytes: Int
    /// The first prepared segment's size, and that of one prepared without a spare.
    private static let smallestPreparedBytes = 1 << 20

    /// Opens the log in `directory` (created if missing), recovering from any torn tail.
    ///
    /// - Throws: ``StorageError`` if a segment is corrupt anywhere but its torn tail, or on I/O errors.
    public init(directory: String, options: LogOptions = .init()) throws {
        self.directory = directory
        self.options = options
        self.recovery = LogRecoveryReport()
        self.preparer = options.preallocate ? SegmentPreparer(directory: directory) : nil
        self.nextPreparedBytes = min(Self.smallestPreparedBytes, options.segmentSizeBytes)
        try FileSystem.createDirectory(directory)
        // A spare left by an earlier run may be unfinished: never reuse it.
        try FileSystem.remove(directory + "/" + SegmentPreparer.fileName)
        try open()
        if let preparer {
            let last = segments.last!.preparedBytes
            nextPreparedBytes = max(nextPreparedBytes, min(last * 2, options.segmentSizeBytes))
            preparer.prepare(bytes: nextPreparedBytes)
        }
    }

    deinit { close() }

    // MARK: - Reading

    /// The first index still stored: 1 on a fresh log, more after ``compact(through:)`` or
    /// ``reset(after:)``. When the log is empty, `firstIndex == lastIndex + 1`.
    public var firstIndex: UInt64 { segments.first?.firstIndex ?? 1 }

    /// The last index stored, 0 when nothing was ever appended.
    public var lastIndex: UInt64 { segments.last.map { $0.lastIndex } ?? 0 }

    /// The term of the entry at `index`, or `nil` if it is not stored. No I/O.
    public func term(at index: UInt64) -> UInt64? {
        guard let position = segmentPosition(containing: index) else { return nil }
        let segment = segments[position]
        return segment.terms[Int(index - segment.firstIndex)]
    }

    /// The entries `from...through`, read back from disk and checked against their checksums.
    ///
    /// Returns `[]` if `from > through`.
    /// - Throws: ``StorageError/Kind/invalidArgument`` if part of the range is not stored,
    ///   ``StorageError/Kind/corrupt`` (naming file and offset) if a record fails its checksum.
    public func entries(from: UInt64, through: UInt64) throws -> [LogEntry] {
        try checkUsable()
        guard from <= through else { return [] }
        guard from >= firstIndex, through <= lastIndex else {
            throw StorageError.invalidArgument(
                "entries \(from)...\(through) requested but the log in \(directory) holds \(firstIndex)...\(lastIndex)",
                path: directory)
        }
        var result: [LogEntry] = []
        result.reserveCapacity(Int(through - from + 1))
        var index = from
        var position = segmentPosition(containing: from)!
        while index <= through {
            let segment = segments[position]
            let last = min(through, segment.lastIndex)
            let range = segment.byteRange(from: index, through: last)
            let bytes = try segment.file.preadExactly(range.count, at: range.lowerBound)
            try bytes.withUnsafeBytes { buffer in
                for i in index...last {
                    let local = segment.offsets[Int(i - segment.firstIndex)] - range.lowerBound
                    switch RecordCodec.decode(buffer, at: local) {
                    case .success(let entry) where entry.index == i:
                        result.append(entry)
                    case .success(let entry):
                        throw readCorruption(
                            segment, range.lowerBound + local, "expected index \(i), found \(entry.index)")
                    case .failure(let failure):
                        throw readCorruption(segment, range.lowerBound + local, failure.reason)
                    }
                }
            }
            index = last + 1
            position += 1
        }
        return result
    }

    /// Like ``entries(from:through:)``, but stops before the records' total size would exceed
    /// `maxBytes` (always returning at least the entry at `from`): a bounded replication batch.
    public func entries(from: UInt64, through: UInt64, maxBytes: Int) throws -> [LogEntry] {
        guard from <= through, let start = segmentPosition(containing: from) else {
            return try entries(from: from, through: through)
        }
        var total = 0
        var last = from
        var position = start
        scan: while position < segments.count {
            let segment = segments[position]
            var index = max(from, segment.firstIndex)
            while index <= min(through, segment.lastIndex) {
                let size = segment.byteRange(from: index, through: index).count
                if index > from && total + size > maxBytes { break scan }
                total += size
                last = index
                index += 1
            }
            position += 1
        }
        return try entries(from: from, through: last)
    }

    // MARK: - Writing

    /// Appends `entries`, whose indexes must run contiguously from `lastIndex + 1`.
    ///
    /// The whole batch is encoded into one buffer and written with one `write` per segment it
    /// touches (segments rotate at ``LogOptions/segmentSizeBytes``). Not durable until ``sync()``.
    /// On failure nothing of the batch remains, in memory or on disk.
    /// - Throws: ``StorageError/Kind/invalidArgument`` for a gap or overlap in the indexes,
    ///   ``StorageError/Kind/noSpace`` / ``StorageError/Kind/io`` when the disk refuses.
    public func append(_ entries: [LogEntry]) throws {
        try checkUsable()
        guard !entries.isEmpty else { return }
        var expected = lastIndex + 1
        for entry in entries {
            guard entry.index == expected else {
                throw StorageError.invalidArgument(
                    "append to the log in \(directory) expected index \(expected) but got \(entry.index)",
                    path: directory)
            }
            expected += 1
        }

        // Encode everything once, cutting the buffer where a new segment must start.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(entries.reduce(0) { $0 + RecordCodec.encodedSize($1) })
        var chunks: [AppendChunk] = []
        var current = AppendChunk(bytes: 0..<0, entries: 0..<0, newSegment: false, offsets: [])
        var segmentSize = segments.last!.size
        var sizeLimit = segments.last!.sizeLimit(maximum: options.segmentSizeBytes)
        for (i, entry) in entries.enumerated() {
            let size = RecordCodec.encodedSize(entry)
            if segmentSize > 0 && segmentSize + size > sizeLimit {
                if !current.entries.isEmpty { chunks.append(current) }
                current = AppendChunk(bytes: buffer.count..<buffer.count, entries: i..<i, newSegment: true, offsets: [])
                segmentSize = 0
                // Its prepared size is known only once it exists; it may grow past that instead.
                sizeLimit = options.segmentSizeBytes
            }
            current.offsets.append(buffer.count - current.bytes.lowerBound)  // relative to the chunk
            RecordCodec.encode(entry, into: &buffer)
            segmentSize += size
            current.bytes = current.bytes.lowerBound..<buffer.count
            current.entries = current.entries.lowerBound..<(i + 1)
        }
        chunks.append(current)

        let undo = AppendUndo(segmentCount: segments.count, lastIndex: lastIndex)
        do {
            for chunk in chunks {
                if chunk.newSegment {
                    try rotate(firstIndex: entries[chunk.entries.lowerBound].index)
                }
                let segment = segments.last!
                let base = segment.size
                try write(buffer, range: chunk.bytes, to: segment, at: base)
                for (k, i) in chunk.entries.enumerated() {
                    segment.offsets.append(base + chunk.offsets[k])
                    segment.terms.append(entries[i].term)
                }
                segment.size = base + chunk.bytes.count
                unsynced.insert(segment.firstIndex)
            }
        } catch {
            rollBack(undo, after: error)
            if syncFailed { dropUnsynced() }
            throw error
        }
        stats.entriesAppended += UInt64(entries.count)
        stats.bytesWritten += UInt64(buffer.count)
    }

    /// Makes every append and truncation so far durable: one `fdatasync` per segment written
    /// since the last sync (none if nothing changed).
    ///
    /// If a sync fails, the entries appended since the last successful sync are dropped (the
    /// disk may not hold them) and the error is thrown; the log stays usable.
    public func sync() throws {
        try checkUsable()
        for segment in segments where unsynced.contains(segment.firstIndex) {
            do {
                try dataSync(segment)
            } catch {
                dropUnsynced()
                throw error
            }
        }
        unsynced.removeAll()
        syncedLastIndex = lastIndex
    }

    /// Drops the entries from `index` on (Raft conflict resolution). Durable after ``sync()``.
    ///
    /// A no-op if `index > lastIndex`.
    /// - Throws: ``StorageError/Kind/invalidArgument`` if `index < firstIndex` (compacted entries cannot be cut).
    public func truncateSuffix(from index: UInt64) throws {
        try checkUsable()
        guard index <= lastIndex else { return }
        guard index >= firstIndex else {
            throw StorageError.invalidArgument(
                "cannot truncate the log in \(directory) from \(index): entries before \(firstIndex) were compacted",
                path: directory)
        }
        try cutSuffix(from: index)
    }

    /// Deletes whole segments whose entries are all `<= index` (call after a snapshot at `index`
    /// is durable). The segment taking appends is never deleted, so ``firstIndex`` may stay
    /// `<= index`. Durable on return.
    public func compact(through index: UInt64) throws {
        try checkUsable()
        var removed = false
        // Oldest first: a crash in between leaves a log that simply starts later.
        while segments.count > 1, segments[0].lastIndex <= index {
            try delete(segments[0])
            segments.removeFirst()
            removed = true
        }
        if removed { try FileSystem.syncDirectory(directory) }
    }

    /// Drops every entry, so that the next append starts at `index + 1` (a snapshot at `index`
    /// was installed that the log does not lead up to). Durable on return.
    ///
    /// If it fails part-way, the log is out of service (``StorageError/Kind/unusable``) until
    /// reopened; recovery then sees either the old log or the reset one.
    public func reset(after index: UInt64) throws {
        try checkUsable()
        do {
            try replaceAllSegments(withEmptyAt: index + 1)
        } catch {
            // Part of the old log may be gone already; only a reopen rebuilds a view that
            // matches the files (recovery finishes or undoes the reset).
            markBroken(error)
            throw error
        }
        unsynced.removeAll()
        syncedLastIndex = index
    }

    private func replaceAllSegments(withEmptyAt next: UInt64) throws {
        // 1. Newest first, drop segments that start after `next`: each crash state is a prefix.
        while let last = segments.last, last.firstIndex > next {
            try delete(last)
            segments.removeLast()
        }
        try FileSystem.syncDirectory(directory)
        // 2. An empty segment named `next` marks where the log resumes. If one already starts
        //    there, emptying it is enough.
        if let last = segments.last, last.firstIndex == next {
            try truncate(last, to: 0)
            try last.file.fullSync()
            last.dropEntries(from: next)
        } else {
            segments.append(try createSegment(firstIndex: next))
        }
        // 3. Oldest first, drop the rest. A crash here leaves an empty last segment that does not
        //    follow its predecessor, which recovery recognizes and finishes.
        while segments.count > 1 {
            try delete(segments[0])
            segments.removeFirst()
        }
        try FileSystem.syncDirectory(directory)
    }

    /// Closes the segment files. Later calls throw ``StorageError/Kind/unusable``; the
    /// position properties keep their last values.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        preparer?.close()
        for segment in segments { segment.file.closeFile() }
    }

    // MARK: - Internals

    private struct AppendChunk {
        var bytes: Range<Int>
        var entries: Range<Int>
        var newSegment: Bool
        var offsets: [Int]
    }

    private struct AppendUndo {
        var segmentCount: Int
        var lastIndex: UInt64
    }

    func checkUsable() throws {
        if isClosed { throw StorageError.unusable("the log in \(directory) is closed", path: directory) }
        if let brokenBy {
            throw StorageError.unusable(
                "the log in \(directory) is out of service after an I/O error it could not roll back "
                    + "(\(brokenBy)); reopen it (restart the node) to recover from disk",
                path: directory)
        }
    }

    private func markBroken(_ error: Error) {
        brokenBy =
            (error as? StorageError) ?? StorageError(kind: .io, path: directory, message: String(describing: error))
    }

    /// The position in `segments` of the segment storing `index`.
    private func segmentPosition(containing index: UInt64) -> Int? {
        guard index >= firstIndex, index <= lastIndex else { return nil }
        if let last = segments.last, index >= last.firstIndex { return segments.count - 1 }
        var low = 0
        var high = segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if segments[mid].firstIndex <= index { low = mid } else { high = mid - 1 }
        }
        return low
    }

    private func readCorruption(_ segment: Segment, _ offset: Int, _ reason: String) -> StorageError {
        StorageError(
            kind: .corrupt, path: segment.path, offset: offset,
            message: "log segment \(segment.path) is corrupt at offset \(offset): \(reason)")
    }

    /// One `pwrite` of `buffer[range]` at `offset` (more only if the kernel writes short).
    private func write(_ buffer: [UInt8], range: Range<Int>, to segment: Segment, at offset: Int) throws {
        let outcome = buffer.withUnsafeBytes { raw in
            var chunk = UnsafeRawBufferPointer(rebasing: raw[range])
            guard let fault = faults.write?(segment.path, chunk.count) else {
                return segment.file.pwriteAll(chunk, at: offset)
            }
            chunk = UnsafeRawBufferPointer(rebasing: chunk[0..<min(fault.bytesWritten, chunk.count)])
            var outcome = segment.file.pwriteAll(chunk, at: offset)
            outcome.error = outcome.error ?? .system("write", path: segment.path, errno: fault.errno)
            return outcome
        }
        stats.writeCalls += UInt64(outcome.calls)
        if let error = outcome.error {
            // Cut whatever part of the batch reached the file, so no half record is left behind.
            if outcome.written > 0 {
                do { try truncate(segment, to: offset) } catch { markBroken(error) }
            }
            throw error
        }
    }

    /// Starts a new segment for appends at `firstIndex`. The previous segment is cut to its
    /// records and synced first so that on disk a later segment never holds data while an
    /// earlier one misses some, and only the last segment has a zero-filled tail or a torn one.
    private func rotate(firstIndex: UInt64) throws {
        if let last = segments.last, last.preparedBytes > 0 {
            try truncate(last, to: last.size)
            last.preparedBytes = 0
            unsynced.insert(last.firstIndex)
        }
        if let last = segments.last, unsynced.contains(last.firstIndex) {
            try dataSync(last)
            unsynced.remove(last.firstIndex)
        }
        segments.append(try createSegment(firstIndex: firstIndex))
    }

    /// `ftruncate` of a segment file (through the fault hook).
    private func truncate(_ segment: Segment, to length: Int) throws {
        if let code = faults.truncate?(segment.path) {
            throw StorageError.system("ftruncate", path: segment.path, errno: code)
        }
        try segment.file.truncate(to: length)
    }

    /// One `fdatasync` of a segment, counted.
    private func dataSync(_ segment: Segment) throws {
        do {
            try segment.file.dataSync(failingWith: faults.sync)
        } catch {
            syncFailed = true
            throw error
        }
        stats.syncs += 1
    }

    /// After a failed sync, forgets every entry not known to be durable: the kernel may have
    /// dropped the dirty pages, and a later `fdatasync` could "succeed" without them.
    private func dropUnsynced() {
        syncFailed = false
        let keep = max(syncedLastIndex, firstIndex - 1)
        guard keep < lastIndex else { return }
        do { try cutSuffix(from: keep + 1) } catch { markBroken(error) }
    }

    /// Creates an empty segment file (zero-filled with ``LogOptions/preallocate``) and makes its
    /// directory entry durable.
    func createSegment(firstIndex: UInt64) throws -> Segment {
        let path = directory + "/" + Segment.fileName(firstIndex: firstIndex)
        let (file, preparedBytes) = try createSegmentFile(path)
        do {
            try FileSystem.syncDirectory(directory)
        } catch {
            file.closeFile()
            try? FileSystem.remove(path)
            throw error
        }
        stats.segmentsCreated += 1
        let segment = Segment(firstIndex: firstIndex, path: path, file: file, size: 0)
        segment.preparedBytes = preparedBytes
        if let preparer {
            nextPreparedBytes = min(max(preparedBytes, nextPreparedBytes) * 2, options.segmentSizeBytes)
            preparer.prepare(bytes: nextPreparedBytes)
        }
        return segment
    }

    /// The new segment file at `path` and how many zero bytes it holds: the spare prepared in
    /// the background if one is ready, else a small zero-filled file made now (a pause of a few
    /// milliseconds rather than a whole segment of slower syncs), else (too little free space,
    /// or filling failed) an empty file that grows with its records.
    private func createSegmentFile(_ path: String) throws -> (RawFile, Int) {
        guard let preparer else { return (try RawFile.openFile(path, create: true, exclusive: true), 0) }
        guard !FileSystem.exists(path) else { throw StorageError.system("open", path: path, errno: EEXIST) }
        if let bytes = preparer.takeSpare(), (try? FileSystem.move(preparer.path, to: path)) != nil {
            stats.segmentsFromSpares += 1
            return (try RawFile.openFile(path), bytes)
        }
        let file = try RawFile.openFile(path, create: true, exclusive: true)
        let bytes = min(Self.smallestPreparedBytes, options.segmentSizeBytes)
        guard SegmentPreparer.hasRoom(for: bytes, in: directory) else { return (file, 0) }
        do {
            _ = try file.writeZeros(bytes: bytes)
            return (file, bytes)
        } catch {
            // Preparing is an optimization: a write that fits must not fail for it.
            do {
                try file.truncate(to: 0)
            } catch {
                file.closeFile()
                try? FileSystem.remove(path)
                throw error
            }
            return (file, 0)
        }
    }

    /// Closes and unlinks a segment (the caller removes it from `segments` and syncs the directory).
    func delete(_ segment: Segment) throws {
        try FileSystem.remove(segment.path)
        segment.file.closeFile()
        unsynced.remove(segment.firstIndex)
        stats.segmentsDeleted += 1
    }

    /// Undoes a failed append: forgets its entries and removes its bytes and segments from disk.
    private func rollBack(_ undo: AppendUndo, after error: any Error) {
        do {
            var removed = false
            while segments.count > undo.segmentCount {
                try delete(segments.removeLast())
                removed = true
            }
            if removed { try FileSystem.syncDirectory(directory) }
            let segment = segments.last!
            if segment.lastIndex > undo.lastIndex {
                let keep = undo.lastIndex + 1
                try truncate(segment, to: segment.offsets[Int(keep - segment.firstIndex)])
                segment.dropEntries(from: keep)
                unsynced.insert(segment.firstIndex)
            }
        } catch {
            markBroken(error)
        }
    }

    /// Removes entries `>= index` (with `firstIndex <= index <= lastIndex`) from memory and disk.
    private func cutSuffix(from index: UInt64) throws {
        var removed = false
        // Newest first: a crash in between leaves a shorter log, never a gap.
        while segments.count > 1, segments.last!.firstIndex >= index {
            try delete(segments.last!)
            segments.removeLast()
            removed = true
        }
        if removed { try FileSystem.syncDirectory(directory) }
        let segment = segments.last!
        if segment.lastIndex >= index {
            try truncate(segment, to: segment.offsets[Int(index - segment.firstIndex)])
            segment.dropEntries(from: index)
            unsynced.insert(segment.firstIndex)
        }
        syncedLastIndex = min(syncedLastIndex, index - 1)
    }
}

@available(*, unavailable)
extension SegmentedLog: Sendable {}
