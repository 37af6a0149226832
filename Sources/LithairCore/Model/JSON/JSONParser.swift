/// Parses RFC 8259 JSON text into a ``JSONValue``.
///
/// Strict by design, because the input comes from the network:
/// - exactly one value, optionally surrounded by whitespace (space, tab, CR, LF);
/// - no comments, trailing commas, single quotes, `NaN`/`Infinity`, or leading zeros;
/// - strings must be valid UTF-8 with no raw control characters; `\u` escapes must form
///   valid scalars (a lone surrogate is an error, never replaced);
/// - nesting deeper than `maxDepth` is an error, so hostile input cannot overflow the stack;
/// - integer literals that fit `Int64` (including `-0`, read as `0`) become
///   ``JSONValue/int(_:)``; every other number (fraction, exponent, or out of range) becomes
///   ``JSONValue/double(_:)``; a number too large for `Double` is an error;
/// - duplicate object keys are accepted and the last one wins.
public struct JSONParser: Sendable {
    /// The hard ceiling on `maxDepth`, whatever the caller asks: each level costs two stack
    /// frames, and request handlers may run on small-stacked threads (512 KiB on macOS).
    public static let depthCeiling = 256

    /// Parses `bytes` as one JSON document.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice`, NIO's `ByteBufferView` from
    /// `buffer.readableBytesView`, …) are read in place; others are copied once.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - maxDepth: how many arrays/objects may nest (capped at ``depthCeiling``).
    /// - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            parseResult(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
        }
        let result = contiguous ?? Array(bytes).withUnsafeBytes { parseResult($0, maxDepth: maxDepth) }
        return try result.get()
    }

    /// Parses raw memory as one JSON document, with the same rules and errors as the
    /// collection overload.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        try parseResult(bytes, maxDepth: maxDepth).get()
    }

    /// Parses the UTF-8 of `text` as one JSON document.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parseResult(UnsafeRawBufferPointer($0), maxDepth: maxDepth) }.get()
    }

    private static func parseResult(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) -> Result<JSONValue, JSONParseError>
    {
        var reader = JSONReader(bytes, maxDepth: min(max(maxDepth, 0), depthCeiling))
        do throws(JSONParseError) {
            return .success(try reader.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}
