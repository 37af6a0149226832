/// Describes a snapshot: the last log entry it covers, and the cluster configuration at that point.
public struct SnapshotMetadata: Sendable, Equatable, Codable {
    /// The index of the last log entry folded into the snapshot.
    public var index: UInt64
    /// The term of that entry.
    public var term: UInt64
    /// The cluster configuration (membership) as of ``index``, encoded by the node layer.
    /// Opaque to storage; empty if the caller keeps none.
    public var configuration: [UInt8]

    /// Creates metadata.
    public init(index: UInt64, term: UInt64, configuration: [UInt8] = []) {
        self.index = index
        self.term = term
        self.configuration = configuration
    }
}

/// The snapshot file format.
///
/// ```
/// magic "LSNP" | version u32 (1) | index u64 | term u64 | configuration (u32 length + bytes)
///   | data length u64 | data | crc32c u32
/// ```
/// Little-endian. The final CRC-32C covers every byte before it, so the file's last four bytes
/// are also the checksum a receiver checks a transferred copy against.
enum SnapshotFormat {
    static let magic: [UInt8] = Array("LSNP".utf8)
    static let version: UInt32 = 1
    /// Bytes before the configuration's contents.
    static let fixedHeaderSize = 4 + 4 + 8 + 8 + 4
    static let trailerSize = 4
    static let fileSuffix = ".snap"

    /// The header for a snapshot whose data is `dataLength` bytes.
    static func header(_ metadata: SnapshotMetadata, dataLength: Int) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: fixedHeaderSize + metadata.configuration.count + 8)
        writer.writeRaw(magic)
        writer.writeUInt32(version)
        writer.writeUInt64(metadata.index)
        writer.writeUInt64(metadata.term)
        writer.writeBytes(metadata.configuration)
        writer.writeUInt64(UInt64(dataLength))
        return writer.bytes
    }

    /// A parsed header.
    struct Header {
        var metadata: SnapshotMetadata
        var dataLength: Int
        var size: Int
    }

    /// The size of the header whose first ``fixedHeaderSize`` bytes are `prefix`.
    static func headerSize(fixedPrefix prefix: [UInt8]) throws -> Int {
        var reader = BinaryReader(prefix, offset: fixedHeaderSize - 4)
        return fixedHeaderSize + Int(try reader.readUInt32()) + 8
    }

    /// Parses the header at the start of `bytes`; `fileSize` is the whole file's size.
    static func parseHeader(_ bytes: [UInt8], fileSize: Int) throws -> Header {
        var reader = BinaryReader(bytes)
        guard try reader.readRaw(count: 4) == magic else {
            throw FormatError(reason: "bad magic (not a snapshot file)")
        }
        let version = try reader.readUInt32()
        guard version == Self.version else { throw FormatError(reason: "unsupported version \(version)") }
        let index = try reader.readUInt64()
        let term = try reader.readUInt64()
        let configuration = try reader.readBytes()
        let dataLength = try reader.readUInt64()
        let size = reader.offset
        guard dataLength <= UInt64(Int.max), size + Int(dataLength) + trailerSize == fileSize else {
            throw FormatError(
                reason: "header says \(dataLength) data bytes, which does not match the file size \(fileSize)")
        }
        return Header(
            metadata: SnapshotMetadata(index: index, term: term, configuration: configuration),
            dataLength: Int(dataLength), size: size)
    }

    /// A format check that failed.
    struct FormatError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// `snapshot-<index>-<term>.snap`, zero-padded so that names sort like (index, term).
    static func fileName(_ metadata: SnapshotMetadata) -> String {
        "snapshot-\(padded(metadata.index))-\(padded(metadata.term))\(fileSuffix)"
    }

    /// The (index, term) in a snapshot file name, or `nil` if `name` is not one.
    static func parseFileName(_ name: String) -> (index: UInt64, term: UInt64)? {
        guard name.hasPrefix("snapshot-"), name.hasSuffix(fileSuffix) else { return nil }
        let parts = name.dropFirst("snapshot-".count).dropLast(fileSuffix.count).split(separator: "-")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 20 && $0.allSatisfy(\.isASCII) }),
            let index = UInt64(parts[0]), let term = UInt64(parts[1])
        else { return nil }
        return (index, term)
    }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
}
