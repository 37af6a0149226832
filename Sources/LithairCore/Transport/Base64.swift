/// Standard base64 (RFC 4648 §4: alphabet `A–Z a–z 0–9 + /`, `=` padding), stdlib only.
///
/// Decoding is strict because its input comes from the network: the length must be a multiple
/// of four, every character must be in the alphabet (no whitespace, no URL-safe `-`/`_`),
/// padding may only close the text, and the unused bits before the padding must be zero, so
/// every byte string has exactly one accepted encoding (RFC 4648 §3.5 allows rejecting the rest).
enum Base64 {
    /// Why a text is not strict base64.
    struct DecodingError: Error, CustomStringConvertible, Equatable {
        /// Zero-based offset of the offending character (the text's length for a bad length).
        let offset: Int
        /// What was wrong, without the position.
        let reason: String

        /// The reason with its position, e.g. `invalid character at offset 5`.
        var description: String { "\(reason) at offset \(offset)" }
    }

    /// The 64 symbols in value order.
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Symbol value by ASCII code; `invalid` for anything outside the alphabet (and for `=`,
    /// which the decoder handles before looking symbols up).
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for value in 0..<64 {
            table[Int(alphabet.utf8Start[value])] = UInt8(value)
        }
        return table
    }()

    private static let invalid: UInt8 = 0xFF
    private static let pad = UInt8(ascii: "=")

    // MARK: Encoding

    /// The base64 text of `bytes`, padded.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        withContiguous(bytes) { input in
            let outputCount = encodedCount(input.count)
            guard outputCount > 0 else { return "" }
            // Writes the UTF-8 in place: no intermediate array, no validation pass.
            return String(unsafeUninitializedCapacity: outputCount) { output in
                encode(input, into: output)
                return outputCount
            }
        }
    }

    /// Appends the base64 text of `bytes` to `buffer` (for writers that build a whole body).
    static func encode(_ bytes: some Collection<UInt8>, appendingTo buffer: inout [UInt8]) {
        withContiguous(bytes) { input in
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: encodedCount(input.count)))
            buffer.withUnsafeMutableBufferPointer { output in
                encode(input, into: UnsafeMutableBufferPointer(rebasing: output[start...]))
            }
        }
    }

    /// The length of the base64 text of `count` bytes.
    static func encodedCount(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    private static func withContiguous<Result>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
        return Array(bytes).withUnsafeBufferPointer(body)
    }

    /// Writes the text of `input` into `output`, which holds exactly ``encodedCount(_:)`` bytes.
    private static func encode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        let symbols = alphabet.utf8Start
        var read = 0
        var written = 0
        while read + 3 <= input.count {
            let group = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
            output[written] = symbols[Int(group >> 18)]
            output[written + 1] = symbols[Int(group >> 12 & 0x3F)]
            output[written + 2] = symbols[Int(group >> 6 & 0x3F)]
            output[written + 3] = symbols[Int(group & 0x3F)]
            read += 3
            written += 4
        }
        let remaining = input.count - read
        guard remaining > 0 else { return }
        let second = remaining == 2 ? UInt32(input[read + 1]) : 0
        let group = UInt32(input[read]) << 16 | second << 8
        output[written] = symbols[Int(group >> 18)]
        output[written + 1] = symbols[Int(group >> 12 & 0x3F)]
        output[written + 2] = remaining == 2 ? symbols[Int(group >> 6 & 0x3F)] : pad
        output[written + 3] = pad
    }

    // MARK: Decoding

    /// The bytes that `text` encodes.
    ///
    /// - Throws: ``DecodingError`` for anything but canonical, padded, standard base64.
    static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        var text = text
        // Native strings (everything the JSON parser produces) are read in place.
        return try text.withUTF8 { decodeResult(UnsafeRawBufferPointer($0)) }.get()
    }

    /// The bytes that the ASCII base64 text `encoded` encodes.
    ///
    /// - Throws: ``DecodingError`` for anything but canonical, padded, standard base64.
    static func decode(_ encoded: some Collection<UInt8>) throws(DecodingError) -> [UInt8] {
        let contiguous = encoded.withContiguousStorageIfAvailable { decodeResult(UnsafeRawBufferPointer($0)) }
        let result = contiguous ?? Array(encoded).withUnsafeBytes { decodeResult($0) }
        return try result.get()
    }

    private static func decodeResult(_ input: UnsafeRawBufferPointer) -> Result<[UInt8], DecodingError> {
        guard input.count % 4 == 0 else {
            return .failure(DecodingError(offset: input.count, reason: "length \(input.count) is not a multiple of 4"))
        }
        guard input.count > 0 else { return .success([]) }
        var padding = 0
        if input[input.count - 1] == pad {
            padding = input[input.count - 2] == pad ? 2 : 1
        }
        let outputCount = input.count / 4 * 3 - padding
        var failure: DecodingError?
        let bytes = values.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: outputCount) { output, initialized in
                failure = decode(input, padding: padding, table: table, into: output)
                initialized = failure == nil ? outputCount : 0
            }
        }
        if let failure { return .failure(failure) }
        return .success(bytes)
    }

    /// Decodes every group of `input` into `output` (sized for the result); returns the first
    /// problem instead, if any.
    private static func decode(
        _ input: UnsafeRawBufferPointer, padding: Int, table: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> DecodingError? {
        let lastGroup = input.count - 4
        var read = 0
        var written = 0
        while read < lastGroup {
            let a = table[Int(input[read])]
            let b = table[Int(input[read + 1])]
            let c = table[Int(input[read + 2])]
            let d = table[Int(input[read + 3])]
            // `invalid` is the only table value with its top bit set: one test for four symbols.
            guard (a | b | c | d) & 0x80 == 0 else { return invalidSymbol(in: input, group: read) }
            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            output[written] = UInt8(truncatingIfNeeded: group >> 16)
            output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
            output[written + 2] = UInt8(truncatingIfNeeded: group)
            read += 4
            written += 3
        }
        return decodeLastGroup(input, padding: padding, table: table, into: output, written: written)
    }

    /// The final group holds the padding, so its rules differ: `=` is allowed only there, and
    /// the bits the padding leaves unused must be zero.
    private static func decodeLastGroup(
        _ input: UnsafeRawBufferPointer, padding: Int, table: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>, written: Int
    ) -> DecodingError? {
        let start = input.count - 4
        let symbolCount = 4 - padding
        var group: UInt32 = 0
        for position in 0..<4 {
            let value = position < symbolCount ? table[Int(input[start + position])] : 0
            guard value & 0x80 == 0 else { return invalidSymbol(in: input, group: start) }
            group = group << 6 | UInt32(value)
        }
        let unusedBits: UInt32 = padding == 2 ? 0xFFFF : padding == 1 ? 0xFF : 0
        guard group & unusedBits == 0 else {
            return DecodingError(offset: start + symbolCount - 1, reason: "non-zero bits before padding")
        }
        output[written] = UInt8(truncatingIfNeeded: group >> 16)
        if padding < 2 { output[written + 1] = UInt8(truncatingIfNeeded: group >> 8) }
        if padding < 1 { output[written + 2] = UInt8(truncatingIfNeeded: group) }
        return nil
    }

    /// The error for the first character of the group at `group` that is not a symbol.
    private static func invalidSymbol(in input: UnsafeRawBufferPointer, group: Int) -> DecodingError {
        var offset = group
        while offset < group + 3, values[Int(input[offset])] != invalid { offset += 1 }
        let reason = input[offset] == pad ? "misplaced padding" : "invalid character"
        return DecodingError(offset: offset, reason: reason)
    }
}
