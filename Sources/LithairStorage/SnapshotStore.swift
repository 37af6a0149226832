import Synchronization

/// Stores state-machine snapshots as checksummed files, `snapshot-<index>-<term>.snap`, in one
/// directory, keeping the newest two (the previous one stays until the next is safely written).
///
/// Every file is written atomically (temporary file, `fsync`, `rename`, directory `fsync`) and
/// verified in full when read: a damaged newest snapshot is an error naming the file, never a
/// silent fallback to an older state. Snapshots also travel between nodes as raw file bytes:
/// ``latestFile()`` and ``readChunk(of:offset:maxLength:)`` on the sender,
/// ``beginReceive(metadata:totalBytes:checksum:)`` on the receiver.
public final class SnapshotStore: Sendable {
    /// The directory holding the snapshot files.
    public let directory: String
    /// How many snapshots are kept.
    public static let retained = 2
    private let cachedLatest: Mutex<SnapshotMetadata?>

    /// Opens the store in `directory` (created if missing), deleting temporary files a crash left.
    public init(directory: String) throws {
        self.directory = directory
        try FileSystem.createDirectory(directory)
        for name in try FileSystem.listDirectory(directory)
        where name.hasPrefix("snapshot-") && name.hasSuffix(DurableFile.temporarySuffix) {
            try FileSystem.remove(directory + "/" + name)
        }
        cachedLatest = Mutex(nil)
        let newest = try? latestFile()
        cachedLatest.withLock { $0 = newest?.metadata }
    }

    /// Saves a snapshot durably, then deletes all but the newest ``retained`` snapshots.
    public func save(metadata: SnapshotMetadata, data: [UInt8]) throws {
        try save(metadata: metadata) { write in try write(data) }
    }

    /// Saves a snapshot whose data `produce` hands over in pieces, in order, through the
    /// function it is given, so that a large state never has to be encoded into one buffer;
    /// then deletes all but the newest ``retained`` snapshots.
    ///
    /// - Returns: the data's length in bytes.
    @discardableResult
    public func save(
        metadata: SnapshotMetadata, streaming produce: (_ write: ([UInt8]) throws -> Void) throws -> Void
    ) throws -> Int {
        var length = 0
        try DurableFile.write(to: path(of: metadata)) { file in
            // The header holds the data's length, known only at the end: it is written last,
            // into the space left for it, and the file's checksum (header, then data) is
            // combined from the two parts' checksums.
            let headerSize = SnapshotFormat.header(metadata, dataLength: 0).count
            file.skip(headerSize)
            var dataChecksum: UInt32 = 0
            try produce { piece in
                dataChecksum = CRC32C.checksum(piece, seed: dataChecksum)
                length += piece.count
                try file.append(piece)
            }
            let header = SnapshotFormat.header(metadata, dataLength: length)
            let crc = CRC32C.combine(CRC32C.checksum(header), dataChecksum, lengthOfSecond: length)
            try file.append(withUnsafeBytes(of: crc.littleEndian, Array.init))
            try file.overwrite(header, at: 0)
        }
        try installed(metadata)
        return length
    }

    /// The newest snapshot, verified, or `nil` if there is none.
    /// - Throws: ``StorageError/Kind/corrupt`` naming the file if the newest snapshot is damaged.
    public func latest() throws -> (metadata: SnapshotMetadata, data: [UInt8])? {
        guard let name = try snapshotNames().last else { return nil }
        let path = directory + "/" + name
        guard let bytes = try DurableFile.read(path) else { return nil }
        let header = try verify(bytes, path: path)
        let data = Array(bytes[header.size..<(header.size + header.dataLength)])
        return (header.metadata, data)
    }

    /// The metadata of the newest snapshot (from its header, cached; no I/O), or `nil` if there is
    /// none or its header is unreadable (then ``latest()`` throws the reason).
    public func latestMetadata() -> SnapshotMetadata? { cachedLatest.withLock { $0 } }

    /// Where a snapshot file is, and what a receiver needs to check a copy of it.
    public struct FileInfo: Sendable, Equatable {
        /// The snapshot it holds.
        public var metadata: SnapshotMetadata
        /// The file's full path.
        public var path: String
        /// The file's size in bytes: pass it to ``SnapshotStore/beginReceive(metadata:totalBytes:checksum:)``.
        public var totalBytes: Int
        /// The CRC-32C of every byte but the last four (which store it): pass it to the receiver too.
        public var checksum: UInt32
    }

    /// The newest snapshot file, for sending (header and stored checksum read, data not verified:
    /// the receiver verifies the copy). `nil` if there is none.
    public func latestFile() throws -> FileInfo? {
        guard let name = try snapshotNames().last else { return nil }
        let path = directory + "/" + name
        let file = try RawFile.openFile(path, readOnly: true)
        defer { file.closeFile() }
        let size = try file.size()
        do {
            guard size >= SnapshotFormat.fixedHeaderSize + 8 + SnapshotFormat.trailerSize else {
                throw SnapshotFormat.FormatError(reason: "only \(size) bytes")
            }
            let prefix = try file.preadExactly(SnapshotFormat.fixedHeaderSize, at: 0)
            let headerSize = try SnapshotFormat.headerSize(fixedPrefix: prefix)
            guard headerSize + SnapshotFormat.trailerSize <= size else {
                throw SnapshotFormat.FormatError(reason: "header runs past the end of the file")
            }
            let header = try SnapshotFormat.parseHeader(try file.preadExactly(headerSize, at: 0), fileSize: size)
            var trailer = BinaryReader(try file.preadExactly(4, at: size - 4))
            return FileInfo(metadata: header.metadata, path: path, totalBytes: size, checksum: try trailer.readUInt32())
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError.corruptFile("snapshot file", file: path, reason: String(describing: error))
        }
    }

    /// Up to `maxLength` bytes of a snapshot file from `offset` (fewer at the end, none past it).
    /// - Throws: ``StorageError`` if the file is gone (a newer snapshot replaced it) or unreadable.
    public func readChunk(of file: FileInfo, offset: Int, maxLength: Int) throws -> [UInt8] {
        guard offset >= 0, maxLength >= 0 else {
            throw StorageError.invalidArgument("negative offset or length reading \(file.path)", path: file.path)
        }
        let count = min(maxLength, max(0, file.totalBytes - offset))
        let handle = try RawFile.openFile(file.path, readOnly: true)
        defer { handle.closeFile() }
        return try handle.preadExactly(count, at: offset)
    }

    /// Starts receiving a snapshot file sent in chunks by another node.
    ///
    /// - Parameters:
    ///   - metadata: what the sender says the snapshot is; the received header must match it.
    ///   - totalBytes: the file's size (``FileInfo/totalBytes`` on the sender).
    ///   - checksum: the file's stored CRC-32C (``FileInfo/checksum`` on the sender).
    public func beginReceive(metadata: SnapshotMetadata, totalBytes: Int, checksum: UInt32) throws -> SnapshotReceiver {
        let minimum = SnapshotFormat.fixedHeaderSize + metadata.configuration.count + 8 + SnapshotFormat.trailerSize
        guard totalBytes >= minimum else {
            throw StorageError.invalidArgument(
                "snapshot \(metadata.index)/\(metadata.term) announced as \(totalBytes) bytes, less than its header",
                path: directory)
        }
        let name = SnapshotFormat.fileName(metadata)
        let temporary =
            "\(directory)/\(name).recv-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))\(DurableFile.temporarySuffix)"
        let file = try RawFile.openFile(temporary, create: true, exclusive: true)
        return SnapshotReceiver(
            store: self, metadata: metadata, totalBytes: totalBytes, checksum: checksum, temporaryPath: temporary,
            file: file)
    }

    // MARK: - Internals

    func path(of metadata: SnapshotMetadata) -> String { directory + "/" + SnapshotFormat.fileName(metadata) }

    /// Snapshot file names, oldest first.
    private func snapshotNames() throws -> [String] {
        try FileSystem.listDirectory(directory)
            .compactMap { name in SnapshotFormat.parseFileName(name).map { (name, $0) } }
            .sorted { ($0.1.index, $0.1.term) < ($1.1.index, $1.1.term) }
            .map(\.0)
    }

    /// Checks a whole snapshot file and returns its header.
    func verify(_ bytes: [UInt8], path: String) throws -> SnapshotFormat.Header {
        func corrupt(_ reason: String, _ offset: Int? = nil) -> StorageError {
            StorageError.corruptFile("snapshot file", file: path, offset: offset, reason: reason)
        }
        guard bytes.count >= SnapshotFormat.fixedHeaderSize + 8 + SnapshotFormat.trailerSize else {
            throw corrupt("only \(bytes.count) bytes")
        }
        let body = bytes.count - SnapshotFormat.trailerSize
        var trailer = BinaryReader(bytes, offset: body)
        let stored = try trailer.readUInt32()
        guard CRC32C.checksum(bytes[..<body]) == stored else { throw corrupt("checksum mismatch", body) }
        do {
            return try SnapshotFormat.parseHeader(bytes, fileSize: bytes.count)
        } catch {
            throw corrupt(String(describing: error), 0)
        }
    }

    /// Records a newly installed snapshot and deletes all but the newest ``retained``.
    func installed(_ metadata: SnapshotMetadata) throws {
        let names = try snapshotNames()
        if names.count > Self.retained {
            for name in names.dropLast(Self.retained) { try FileSystem.remove(directory + "/" + name) }
            try FileSystem.syncDirectory(directory)
        }
        let newest = names.last.flatMap(SnapshotFormat.parseFileName)
        cachedLatest.withLock { cached in
            if let newest, newest.index == metadata.index, newest.term == metadata.term {
                cached = metadata
            } else if cached == nil {
                cached = metadata
            }
        }
    }
}
