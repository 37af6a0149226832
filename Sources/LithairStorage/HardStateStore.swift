/// The Raft state that must survive a restart before the node sends a vote or an acknowledgement:
/// the current term, the vote cast in it, and the commit index.
public struct HardState: Sendable, Equatable, Codable {
    /// The latest term the node has seen.
    public var term: UInt64
    /// The node it voted for in ``term``, if any.
    public var votedFor: UInt64?
    /// The highest log index known to be committed.
    public var commit: UInt64

    /// Creates a hard state.
    public init(term: UInt64, votedFor: UInt64?, commit: UInt64) {
        self.term = term
        self.votedFor = votedFor
        self.commit = commit
    }
}

/// Keeps the ``HardState`` in one small checksummed file, `<directory>/hardstate`, replaced
/// atomically (temporary file, `fsync`, `rename`, directory `fsync`) on every save.
///
/// File format (little-endian): magic `LHST`, version `u32` (1), term `u64`, has-vote `u8`,
/// votedFor `u64`, commit `u64`, then the CRC-32C of everything before it.
public final class HardStateStore: Sendable {
    /// The directory holding the file.
    public let directory: String
    /// The file's full path.
    public let path: String

    private static let magic: [UInt8] = Array("LHST".utf8)
    private static let version: UInt32 = 1

    /// Opens the store in `directory` (created if missing), removing a temporary file left by a crash.
    public init(directory: String) throws {
        self.directory = directory
        self.path = directory + "/hardstate"
        try FileSystem.createDirectory(directory)
        try FileSystem.remove(path + DurableFile.temporarySuffix)
    }

    /// The saved hard state, or `nil` if none was ever saved.
    /// - Throws: ``StorageError/Kind/corrupt`` naming the file if it fails its checks.
    public func load() throws -> HardState? {
        guard let bytes = try DurableFile.read(path) else { return nil }
        func corrupt(_ reason: String) -> StorageError {
            StorageError.corruptFile("hard-state file", file: path, reason: reason)
        }
        guard bytes.count >= 8 else { throw corrupt("only \(bytes.count) bytes") }
        let body = bytes.dropLast(4)
        var reader = BinaryReader(bytes)
        do {
            guard try reader.readRaw(count: 4) == Self.magic else { throw corrupt("bad magic (not a hard-state file)") }
            let version = try reader.readUInt32()
            guard version == Self.version else { throw corrupt("unsupported version \(version)") }
            let term = try reader.readUInt64()
            let hasVote = try reader.readBool()
            let vote = try reader.readUInt64()
            let commit = try reader.readUInt64()
            let stored = try reader.readUInt32()
            try reader.expectEnd()
            guard CRC32C.checksum(body) == stored else { throw corrupt("checksum mismatch") }
            return HardState(term: term, votedFor: hasVote ? vote : nil, commit: commit)
        } catch let error as BinaryDecodingError {
            throw corrupt(error.description)
        }
    }

    /// Replaces the saved hard state durably: when this returns, a crash cannot lose it.
    public func save(_ state: HardState) throws {
        var writer = BinaryWriter(reservingCapacity: 41)
        writer.writeRaw(Self.magic)
        writer.writeUInt32(Self.version)
        writer.writeUInt64(state.term)
        writer.writeBool(state.votedFor != nil)
        writer.writeUInt64(state.votedFor ?? 0)
        writer.writeUInt64(state.commit)
        writer.writeUInt32(CRC32C.checksum(writer.bytes))
        try DurableFile.write(writer.bytes, to: path)
    }
}
