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

    /// The coding path of element `index`; built only when needed (errors, nested decoders).
    private func path(_ index: Int) -> [any CodingKey] { codingPath + [JSONCodingKey(index: index)] }

    /// Returns the element under the cursor and its index, and advances; throws at the end.
    private mutating func next(_ type: Any.Type) throws -> (value: JSONValue, index: Int) {
        guard currentIndex < elements.count else {
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: path(currentIndex),
                    debugDescription: "expected \(type) but the array has only \(elements.count) elements"))
        }
        let index = currentIndex
        currentIndex += 1
        return (elements[index], index)
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else {
            _ = try next(Never.self)  // throws the end-of-array error
            return false
        }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let (value, index) = try next(type)
        return try JSONPrimitiveDecoding.bool(value, self.path(index))
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (value, index) = try next(type)
        if case .string(let text) = value { return text }
        return try JSONPrimitiveDecoding.string(value, self.path(index))
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let (value, index) = try next(type)
        return try JSONPrimitiveDecoding.double(value, self.path(index))
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let (value, index) = try next(type)
        return try JSONPrimitiveDecoding.float(value, self.path(index))
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
        let (value, index) = try next(type)
        return try JSONPrimitiveDecoding.integer(type, value, self.path(index))
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, index) = try next(type)
        return try JSONPrimitiveDecoding.decode(type, from: value, codingPath: self.path(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, index) = try next([String: Any].self)
        return try JSONDecoderImpl(value: value, codingPath: self.path(index)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, index) = try next([Any].self)
        return try JSONDecoderImpl(value: value, codingPath: self.path(index)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, index) = try next(Any.self)
        return JSONDecoderImpl(value: value, codingPath: self.path(index))
    }
}
