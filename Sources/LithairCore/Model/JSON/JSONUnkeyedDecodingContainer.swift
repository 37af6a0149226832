/// Reads the elements of a JSON array in order.
struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The coding path of the element under the cursor.
    private var elementPath: [any CodingKey] { codingPath + [JSONCodingKey(index: currentIndex)] }

    /// Returns the element under the cursor and advances, or throws at the end.
    private mutating func next(_ type: Any.Type) throws -> (JSONValue, [any CodingKey]) {
        guard currentIndex < elements.count else {
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: elementPath,
                    debugDescription: "expected \(type) but the array has only \(elements.count) elements"))
        }
        let result = (elements[currentIndex], elementPath)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else { _ = try next(Never.self); return false }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let (value, path) = try next(type)
        return try JSONPrimitiveDecoding.bool(value, path)
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (value, path) = try next(type)
        if case .string(let text) = value { return text }
        return try JSONPrimitiveDecoding.string(value, path)
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let (value, path) = try next(type)
        return try JSONPrimitiveDecoding.double(value, path)
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let (value, path) = try next(type)
        return try JSONPrimitiveDecoding.float(value, path)
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let (value, path) = try next(type)
        return try JSONPrimitiveDecoding.integer(type, value, path)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        return try JSONPrimitiveDecoding.decode(type, from: value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next([String: Any].self)
        return try JSONDecoderImpl(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([Any].self)
        return try JSONDecoderImpl(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(Any.self)
        return JSONDecoderImpl(value: value, codingPath: path)
    }
}
