/// Receives a snapshot file from another node in chunks and installs it atomically in a
/// ``SnapshotStore`` once it is complete and verified.
///
/// Chunks are written to a temporary file. They must arrive in order: a chunk may repeat or
/// overlap bytes already received (a retransmission), but may not leave a gap. ``finish()``
/// checks the size, the CRC-32C, the header and the announced metadata, then syncs and renames
/// the file into place. Any error aborts the transfer: the temporary file is deleted, nothing is
/// installed, and the sender must start over with a new receiver. Dropping an unfinished
/// receiver aborts it too.
///
/// Not thread-safe: owned by one task at a time.
public final class SnapshotReceiver {
    /// The snapshot being received.
    public let metadata: SnapshotMetadata
    /// The announced file size.
    public let totalBytes: Int
    /// The announced CRC-32C (of every byte but the stored checksum).
    public let checksum: UInt32
    /// Bytes received so far, from offset 0 without gaps.
    public private(set) var bytesReceived = 0

    private let store: SnapshotStore
    private let temporaryPath: String
    private let file: RawFile
    private var isDone = false

    init(
        store: SnapshotStore, metadata: SnapshotMetadata, totalBytes: Int, checksum: UInt32, temporaryPath: String,
        file: RawFile
    ) {
        self.store = store
        self.metadata = metadata
        self.totalBytes = totalBytes
        self.checksum = checksum
        self.temporaryPath = temporaryPath
        self.file = file
    }

    deinit { abort() }

    /// Writes `bytes` at `offset` of the file.
    /// - Throws: ``StorageError/Kind/invalidArgument`` for a gap (offset past ``bytesReceived``)
    ///   or bytes past ``totalBytes``, or an I/O error; either way the transfer is aborted.
    public func write(_ bytes: some Collection<UInt8>, at offset: Int) throws {
        try checkOpen()
        guard offset >= 0, offset <= bytesReceived else {
            throw fail(
                StorageError.invalidArgument(
                    "snapshot chunk at offset \(offset) is out of order: \(bytesReceived) bytes received so far",
                    path: temporaryPath))
        }
        guard bytes.count <= totalBytes - offset else {
            throw fail(
                StorageError.invalidArgument(
                    "snapshot chunk at offset \(offset) of \(bytes.count) bytes runs past the announced size "
                        + "\(totalBytes)", path: temporaryPath))
        }
        let outcome =
            bytes.withContiguousStorageIfAvailable { file.pwriteAll(UnsafeRawBufferPointer($0), at: offset) }
            ?? Array(bytes).withUnsafeBytes { file.pwriteAll($0, at: offset) }
        if let error = outcome.error { throw fail(error) }
        bytesReceived = max(bytesReceived, offset + bytes.count)
    }

    /// Verifies the complete file and installs it as the store's snapshot (then prunes old ones).
    /// - Returns: the installed snapshot's metadata, as its header has it (with the configuration).
    /// - Throws: ``StorageError`` if the file is short or fails verification; nothing is installed.
    @discardableResult
    public func finish() throws -> SnapshotMetadata {
        try checkOpen()
        guard bytesReceived == totalBytes else {
            throw fail(
                StorageError.invalidArgument(
                    "snapshot transfer incomplete: \(bytesReceived) of \(totalBytes) bytes received",
                    path: temporaryPath))
        }
        let received: SnapshotMetadata
        do {
            try file.fullSync()
            // Re-read from disk: what is checked is what will be installed.
            let bytes = try file.preadExactly(totalBytes, at: 0)
            let header = try store.verify(bytes, path: temporaryPath)
            var trailer = BinaryReader(bytes, offset: totalBytes - SnapshotFormat.trailerSize)
            let stored = try trailer.readUInt32()
            guard stored == checksum else {
                throw StorageError.corruptFile(
                    "received snapshot", file: temporaryPath,
                    reason: "checksum \(stored) does not match the announced \(checksum)")
            }
            guard header.metadata.index == metadata.index, header.metadata.term == metadata.term else {
                throw StorageError.corruptFile(
                    "received snapshot", file: temporaryPath,
                    reason: "header describes snapshot \(header.metadata.index)/\(header.metadata.term), "
                        + "not the announced \(metadata.index)/\(metadata.term)")
            }
            received = header.metadata
            file.closeFile()
            isDone = true
            try FileSystem.move(temporaryPath, to: store.path(of: metadata))
            try FileSystem.syncDirectory(store.directory)
        } catch {
            throw fail(error)
        }
        // The announced metadata names the snapshot; the file's header adds its configuration.
        try store.installed(received)
        return received
    }

    /// Abandons the transfer and deletes the temporary file (idempotent).
    public func abort() {
        if !isDone {
            isDone = true
            file.closeFile()
        }
        try? FileSystem.remove(temporaryPath)
    }

    private func checkOpen() throws {
        if isDone {
            throw StorageError.unusable("snapshot receiver for \(temporaryPath) is finished or aborted")
        }
    }

    private func fail(_ error: any Error) -> any Error {
        abort()
        return error
    }
}

@available(*, unavailable)
extension SnapshotReceiver: Sendable {}
