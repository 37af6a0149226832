/// Appends little-endian integers, length-prefixed byte strings and UTF-8 strings to a byte buffer.
///
/// The compact binary format shared by the log payloads (model events), snapshots and replication
/// batches: JSON replay of a million events takes seconds, this takes well under one.
/// Read it back with ``BinaryReader``.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer, reserving `capacity` bytes up front.
    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the writer, keeping its capacity (to fill it again, in pieces of a stream).
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends one byte.
    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// Appends a boolean as one byte (0 or 1).
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Appends a 4-byte little-endian integer.
    public mutating func writeUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends an 8-byte little-endian integer.
    public mutating func writeUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends an 8-byte little-endian two's-complement integer.
    public mutating func writeInt64(_ value: Int64) { writeUInt64(UInt64(bitPattern: value)) }

    /// Appends the bytes as they are, with no length prefix.
    public mutating func writeRaw(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// Appends a `UInt32` length followed by the bytes.
    public mutating func writeBytes(_ value: some Collection<UInt8>) {
        precondition(value.count <= Int(UInt32.max), "byte string longer than 4 GiB")
        writeUInt32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a `UInt32` length followed by the bytes: the generic `writeBytes(_:)` for an
    /// array, as one copy. Callers in other modules reach the generic one unspecialized, which
    /// appended byte by byte through the collection's witnesses (snapshots write every item).
    public mutating func writeBytes(_ value: [UInt8]) {
        precondition(value.count <= Int(UInt32.max), "byte string longer than 4 GiB")
        writeUInt32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a `UInt32` byte length followed by the string's UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            writeUInt32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        if written == nil { writeBytes(value.utf8) }
    }
}

/// A decoding failure of ``BinaryReader``: truncated or malformed input.
public struct BinaryDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offset in the input where the failed read started.
    public var offset: Int
    /// What was expected and what was found.
    public var reason: String
    /// `binary decoding failed at offset <n>: <reason>`.
    public var description: String { "binary decoding failed at offset \(offset): \(reason)" }

    /// Creates an error at `offset`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
}

/// Reads what ``BinaryWriter`` wrote. Every read is bounds-checked and throws
/// ``BinaryDecodingError`` on short or malformed input: bytes from the network or the disk
/// can never make it trap or allocate more than the input's size.
public struct BinaryReader: Sendable {
    /// The input.
    public let bytes: [UInt8]
    /// The position of the next read.
    public private(set) var offset: Int

    /// Creates a reader over `bytes`, starting at `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(0, offset), bytes.count)
    }

    /// Creates a reader over a copy of `slice`.
    public init(_ slice: ArraySlice<UInt8>) { self.init(Array(slice)) }

    /// How many bytes are left.
    public var remaining: Int { bytes.count - offset }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    private func need(_ count: Int, _ what: String) throws(BinaryDecodingError) {
        guard count >= 0, count <= remaining else {
            throw BinaryDecodingError(offset: offset, reason: "need \(count) bytes for \(what), \(remaining) left")
        }
    }

    /// Reads one byte.
    public mutating func readUInt8() throws(BinaryDecodingError) -> UInt8 {
        try need(1, "UInt8")
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a boolean byte; anything other than 0 or 1 is an error.
    public mutating func readBool() throws(BinaryDecodingError) -> Bool {
        let start = offset
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other:
            offset = start
            throw BinaryDecodingError(offset: start, reason: "invalid boolean byte \(other)")
        }
    }

    /// Reads a 4-byte little-endian integer.
    public mutating func readUInt32() throws(BinaryDecodingError) -> UInt32 {
        try need(4, "UInt32")
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        offset += 4
        return UInt32(littleEndian: value)
    }

    /// Reads an 8-byte little-endian integer.
    public mutating func readUInt64() throws(BinaryDecodingError) -> UInt64 {
        try need(8, "UInt64")
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        offset += 8
        return UInt64(littleEndian: value)
    }

    /// Reads an 8-byte little-endian two's-complement integer.
    public mutating func readInt64() throws(BinaryDecodingError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    /// Reads exactly `count` bytes with no length prefix.
    public mutating func readRaw(count: Int) throws(BinaryDecodingError) -> [UInt8] {
        try need(count, "\(count) raw bytes")
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a `UInt32` length and that many bytes. A length beyond the input is an error.
    public mutating func readBytes() throws(BinaryDecodingError) -> [UInt8] {
        let start = offset
        let count = Int(try readUInt32())
        guard count <= remaining else {
            offset = start
            throw BinaryDecodingError(
                offset: start, reason: "length prefix \(count) exceeds the \(remaining) bytes left after it")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a `UInt32` byte length and that many bytes of UTF-8; invalid UTF-8 is an error.
    public mutating func readString() throws(BinaryDecodingError) -> String {
        let start = offset
        let raw = try readBytes()
        guard let string = String(validating: raw, as: UTF8.self) else {
            offset = start
            throw BinaryDecodingError(offset: start, reason: "invalid UTF-8 in a \(raw.count)-byte string")
        }
        return string
    }

    /// Throws unless every byte has been read (trailing garbage is an error).
    public func expectEnd() throws(BinaryDecodingError) {
        guard isAtEnd else {
            throw BinaryDecodingError(offset: offset, reason: "\(remaining) unexpected trailing bytes")
        }
    }
}
