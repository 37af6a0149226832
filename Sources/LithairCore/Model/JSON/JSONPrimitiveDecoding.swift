/// Conversions from one ``JSONValue`` to Swift's primitive types, shared by all three
/// decoding containers so the rules and error texts are the same everywhere.
///
/// Coding paths are passed as autoclosures: building one allocates, and it is only needed
/// when something goes wrong.
enum JSONPrimitiveDecoding {
    typealias Path = () -> [any CodingKey]

    /// Decodes `type`, going through `init(from:)` only for non-primitive types.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: @autoclosure Path) throws -> T {
        // Primitives reached through generic paths (`[String]`, `Optional<Int>`) skip the
        // container round trip. The bit casts are no-ops: each is guarded by `T == type`.
        if T.self == String.self { return unsafeBitCast(try string(value, codingPath()), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(value, codingPath()), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, value, codingPath()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(value, codingPath()), to: T.self) }
        if T.self == [String].self { return unsafeBitCast(try strings(value, codingPath()), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        return try T(from: JSONDecoderImpl(value: value, codingPath: codingPath()))
    }

    /// `[String]` without an unkeyed container: the usual shape of a tags field.
    static func strings(_ value: JSONValue, _ codingPath: @autoclosure Path) throws -> [String] {
        guard case .array(let elements) = value else {
            throw JSONDecodingErrors.mismatch([String].self, "an array", value, codingPath())
        }
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                throw JSONDecodingErrors.mismatch(
                    String.self, "a string", element, codingPath() + [JSONCodingKey(index: index)])
            }
            result.append(text)
        }
        return result
    }

    static func string(_ value: JSONValue, _ codingPath: @autoclosure Path) throws -> String {
        if case .string(let text) = value { return text }
        throw JSONDecodingErrors.mismatch(String.self, "a string", value, codingPath())
    }

    static func bool(_ value: JSONValue, _ codingPath: @autoclosure Path) throws -> Bool {
        if case .bool(let flag) = value { return flag }
        throw JSONDecodingErrors.mismatch(Bool.self, "a boolean", value, codingPath())
    }

    static func double(_ value: JSONValue, _ codingPath: @autoclosure Path) throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw JSONDecodingErrors.mismatch(Double.self, "a number", value, codingPath())
        }
    }

    static func float(_ value: JSONValue, _ codingPath: @autoclosure Path) throws -> Float {
        let number = try double(value, codingPath())
        let narrowed = Float(number)
        guard narrowed.isFinite else {
            throw JSONDecodingErrors.corrupted("number \(value.description) does not fit in Float", codingPath())
        }
        return narrowed
    }

    static func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ codingPath: @autoclosure Path)
        throws -> I
    {
        switch value {
        case .int(let number):
            if let exact = I(exactly: number) { return exact }
        case .double(let number):
            if let exact = I(exactly: number) { return exact }
            if !JSONNumber.isIntegral(number) {
                throw JSONDecodingErrors.corrupted("expected an integer, found \(value.description)", codingPath())
            }
        default:
            throw JSONDecodingErrors.mismatch(I.self, "an integer", value, codingPath())
        }
        throw JSONDecodingErrors.corrupted("number \(value.description) does not fit in \(I.self)", codingPath())
    }
}

/// Builders for the `DecodingError`s this decoder throws.
enum JSONDecodingErrors {
    /// A `typeMismatch`, or `valueNotFound` when the value is `null`. The debug description
    /// reads `expected <Type>, found <kind> <value>`; ``describeDecodingError(_:)`` relies on
    /// the `, found ` separator.
    static func mismatch(_ type: Any.Type, _ expected: String, _ value: JSONValue, _ codingPath: [any CodingKey])
        -> DecodingError
    {
        let found = describeFound(value)
        let context = DecodingError.Context(
            codingPath: codingPath, debugDescription: "expected \(expected) (\(type)), found \(found)")
        if case .null = value { return DecodingError.valueNotFound(type, context) }
        return DecodingError.typeMismatch(type, context)
    }

    static func corrupted(_ message: String, _ codingPath: [any CodingKey]) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: message))
    }

    /// `string "abc"`, `number 12`, `null`, `an array`: short, and truncated for long values.
    static func describeFound(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "boolean \(flag)"
        case .int, .double: return "number \(value.description)"
        case .string:
            let text = value.description
            return "string \(text.count > 40 ? String(text.prefix(37)) + "...\"" : text)"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
