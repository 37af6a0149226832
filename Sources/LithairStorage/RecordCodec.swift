/// The on-disk record format of a log segment.
///
/// ```
/// length u32 | crc32c u32 | index u64 | term u64 | payload
/// ```
/// All integers little-endian. `length` is the size of the whole record, header included, so a
/// valid record never has `length == 0`: a zero where a header should start means "no more data"
/// (a zero-filled tail). The CRC-32C covers `length`, `index`, `term` and `payload` (every byte
/// except the CRC field itself), so a damaged length is caught as surely as a damaged payload.
enum RecordCodec {
    /// Bytes before the payload.
    static let headerSize = 24
    /// The largest record accepted (1 GiB): a larger length field can only be garbage.
    static let maxRecordSize = 1 << 30

    /// The encoded size of `entry`.
    static func encodedSize(_ entry: LogEntry) -> Int { headerSize + entry.payload.count }

    /// Appends the record for `entry` to `buffer`.
    static func encode(_ entry: LogEntry, into buffer: inout [UInt8]) {
        let start = buffer.count
        let length = encodedSize(entry)
        precondition(length <= maxRecordSize, "log entry payload larger than 1 GiB")
        withUnsafeBytes(of: UInt32(length).littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(0)) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: entry.index.littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: entry.term.littleEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: entry.payload)
        buffer.withUnsafeMutableBytes { raw in
            let crc = checksum(UnsafeRawBufferPointer(rebasing: raw[start..<start + length]))
            raw.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    /// The CRC of a whole record (header included), skipping its CRC field.
    static func checksum(_ record: UnsafeRawBufferPointer) -> UInt32 {
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: record[0..<4]))
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: record[8...]), seed: crc)
    }

    /// A decoded header.
    struct Header: Equatable {
        var length: Int
        var crc: UInt32
        var index: UInt64
        var term: UInt64
    }

    /// Reads the header at `offset`; the caller guarantees `headerSize` bytes are there.
    static func header(in buffer: UnsafeRawBufferPointer, at offset: Int) -> Header {
        Header(
            length: Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))),
            crc: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)),
            index: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)),
            term: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
    }

    /// What ``scan(_:at:)`` found at an offset.
    enum Scan: Equatable {
        /// A whole record that passed its checksum.
        case record(Header)
        /// Only zero bytes from here to the end of the buffer (or no bytes at all).
        case end
        /// Fewer bytes than a header, or fewer than the header's length: a cut record.
        case incomplete(reason: String)
        /// A header whose length cannot be right.
        case impossibleLength(Int)
        /// A whole record whose checksum does not match.
        case checksumMismatch(Header)
    }

    /// Classifies the bytes at `offset` of a segment's contents.
    static func scan(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Scan {
        let available = buffer.count - offset
        if available == 0 { return .end }
        if available < headerSize {
            if buffer[offset...].allSatisfy({ $0 == 0 }) { return .end }
            return .incomplete(reason: "record header cut short (\(available) of \(headerSize) bytes)")
        }
        let header = header(in: buffer, at: offset)
        if header.length == 0 {
            if buffer[offset...].allSatisfy({ $0 == 0 }) { return .end }
            return .impossibleLength(0)
        }
        if header.length < headerSize { return .impossibleLength(header.length) }
        if header.length > available {
            if header.length > maxRecordSize { return .impossibleLength(header.length) }
            return .incomplete(
                reason: "record length \(header.length) runs past the end of the file (\(available) bytes left)")
        }
        let record = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + header.length])
        return checksum(record) == header.crc ? .record(header) : .checksumMismatch(header)
    }

    /// The offset of the first checksum-valid record with `index` after `offset`, if any: tells
    /// a damaged length field (valid records follow) from a torn tail (nothing follows).
    static func findRecord(in buffer: UnsafeRawBufferPointer, after offset: Int, index: UInt64) -> Int? {
        var candidate = offset + 1
        while candidate + headerSize <= buffer.count {
            // Cheap filter first: the index field must match before the checksum is worth computing.
            if UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: candidate + 8, as: UInt64.self)) == index,
                case .record = scan(buffer, at: candidate)
            {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    /// Decodes the record at `offset`, checking its checksum; the failure says why it is invalid.
    static func decode(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Result<LogEntry, DecodeFailure> {
        switch scan(buffer, at: offset) {
        case .record(let header):
            let payload = Array(buffer[(offset + headerSize)..<(offset + header.length)])
            return .success(LogEntry(index: header.index, term: header.term, payload: payload))
        case .end: return .failure(DecodeFailure(reason: "unexpected end of data (zero bytes)"))
        case .incomplete(let reason): return .failure(DecodeFailure(reason: reason))
        case .impossibleLength(let length): return .failure(DecodeFailure(reason: "impossible record length \(length)"))
        case .checksumMismatch: return .failure(DecodeFailure(reason: "checksum mismatch"))
        }
    }

    /// Why a record could not be decoded.
    struct DecodeFailure: Error, Equatable {
        var reason: String
    }
}
