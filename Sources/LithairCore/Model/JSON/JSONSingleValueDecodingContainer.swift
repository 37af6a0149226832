/// Reads one JSON value as a primitive or a nested `Decodable`.
struct JSONSingleValueDecodingContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try JSONPrimitiveDecoding.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONPrimitiveDecoding.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONPrimitiveDecoding.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try JSONPrimitiveDecoding.float(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        try JSONPrimitiveDecoding.integer(type, value, codingPath)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONPrimitiveDecoding.decode(type, from: value, codingPath: codingPath)
    }
}
