import LithairConsensus

/// Conversions between wire JSON values and the consensus core's Swift values.
///
/// Numbers: the core counts in `UInt64`, JSON values hold `Int64`. Terms, indexes and node ids
/// never get near 2^63 in practice, so the wire carries plain JSON integers and the usable
/// range is `0...Int64.max`. A larger value is still encoded (as a JSON number that reads back
/// as a double), and the receiver rejects it with an "out of range" error rather than
/// silently rounding it. Decoding accepts only integer literals: `-1`, `1.5`, `1.0` and `1e3`
/// are all rejected, since no correct sender writes them.
enum RaftWireValue {
    // MARK: Encoding

    /// `number` as a JSON number (see the type's note on the range).
    static func number(_ number: UInt64) -> JSONValue {
        if let exact = Int64(exactly: number) { return .int(exact) }
        return .double(Double(number))
    }

    /// Appends the JSON text of `number(number)` to `buffer`, as JSONWriter would write it.
    static func write(_ number: UInt64, into buffer: inout [UInt8]) {
        if let exact = Int64(exactly: number) {
            JSONWriter.writeInteger(exact, into: &buffer)
        } else {
            JSONWriter.writeDouble(Double(number), into: &buffer)
        }
    }

    /// `bytes` as a base64 JSON string.
    static func bytes(_ bytes: [UInt8]) -> JSONValue {
        .string(Base64.encode(bytes))
    }

    // MARK: Decoding

    /// A non-negative integer.
    static func uint64(_ value: JSONValue, at path: @autoclosure () -> String) throws(RaftWireError) -> UInt64 {
        switch value {
        case .int(let number) where number >= 0:
            return UInt64(number)
        case .double(let number) where number >= 0x1p63 && number.rounded(.towardZero) == number:
            // The parser turns integer literals beyond Int64 into doubles: say why we refuse them.
            throw RaftWireError(field: path(), "integer out of range (maximum \(Int64.max))")
        default:
            throw RaftWireError(field: path(), "expected a non-negative integer, got \(describe(value))")
        }
    }

    /// A node id: a positive integer (0 is never a valid id).
    static func nodeID(_ value: JSONValue, at path: @autoclosure () -> String) throws(RaftWireError) -> NodeID {
        let id = try uint64(value, at: path())
        guard id != 0 else { throw RaftWireError(field: path(), "expected a node id (a positive integer), got 0") }
        return id
    }

    /// `true` or `false`.
    static func bool(_ value: JSONValue, at path: @autoclosure () -> String) throws(RaftWireError) -> Bool {
        guard case .bool(let flag) = value else {
            throw RaftWireError(field: path(), "expected a boolean, got \(describe(value))")
        }
        return flag
    }

    /// A string.
    static func string(_ value: JSONValue, at path: @autoclosure () -> String) throws(RaftWireError) -> String {
        guard case .string(let text) = value else {
            throw RaftWireError(field: path(), "expected a string, got \(describe(value))")
        }
        return text
    }

    /// Bytes written as a base64 string.
    static func bytes(_ value: JSONValue, at path: @autoclosure () -> String) throws(RaftWireError) -> [UInt8] {
        guard case .string(let text) = value else {
            throw RaftWireError(field: path(), "expected a base64 string, got \(describe(value))")
        }
        do {
            return try Base64.decode(text)
        } catch {
            throw RaftWireError(field: path(), "invalid base64: \(error)")
        }
    }

    /// An array.
    static func array(_ value: JSONValue, at path: @autoclosure () -> String) throws(RaftWireError) -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw RaftWireError(field: path(), "expected an array, got \(describe(value))")
        }
        return elements
    }

    /// An object, ready for typed member access.
    static func object(_ value: JSONValue, at path: String) throws(RaftWireError) -> RaftWireObject {
        guard case .object(let members) = value else {
            throw RaftWireError(field: path, "expected an object, got \(describe(value))")
        }
        return RaftWireObject(members, path: path)
    }

    /// An object at `position` of the array at `array`.
    static func object(_ value: JSONValue, in array: String, at position: Int) throws(RaftWireError) -> RaftWireObject {
        guard case .object(let members) = value else {
            throw RaftWireError(field: "\(array)[\(position)]", "expected an object, got \(describe(value))")
        }
        return RaftWireObject(members, in: array, at: position)
    }

    /// A short account of an unexpected value for error messages. Numbers and literals are
    /// shown as written; strings and containers only by kind, since they can be huge.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int: JSONWriter.string(value)
        case .double(let number):
            // The writer spells an integral double as an integer: say why it was refused.
            number.rounded(.towardZero) == number
                ? "\(JSONWriter.string(value)) written with a fraction or exponent" : JSONWriter.string(value)
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// `text` quoted for an error message, cut after 40 scalars (counting scalars, unlike
    /// counting characters, stops early however long a hostile string is).
    static func quote(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: 40, limitedBy: scalars.endIndex),
            end != scalars.endIndex
        else { return "'\(text)'" }
        return "'\(String(scalars[..<end]))…'"
    }
}
