/// Decodes `Decodable` types straight from a ``JSONValue``, with no text in between.
///
/// Numbers: ``JSONValue/int(_:)`` decodes into every integer type (range-checked) and into
/// `Double`/`Float`; ``JSONValue/double(_:)`` decodes into `Double`/`Float`, and into an
/// integer type only when it is integral and in range. Strings are never coerced to numbers
/// or the reverse.
///
/// Optional properties (`decodeIfPresent`) read a missing key and `null` alike as `nil`.
///
/// `Date` has no special handling (this layer does not import Foundation): a `Date`
/// property decodes through `Date`'s own `Codable`, i.e. a number of seconds since
/// 2001-01-01. Models that need timestamps use ISO-8601 `String`s.
///
/// Errors are Swift's `DecodingError` with the full coding path and a debug description
/// such as `expected Double, found string "abc"`; ``describeDecodingError(_:)`` turns
/// them into messages for API users.
public struct JSONValueDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes a value of `type` from `value`.
    ///
    /// - Throws: `DecodingError` naming the coding path of the first mismatch.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoderImpl(value: value, codingPath: []).decodeValue(type)
    }
}

/// The `Decoder` handed to `init(from:)`: one JSON value at one coding path.
final class JSONDecoderImpl: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [any CodingKey]) {
        self.value = value
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw JSONDecodingErrors.mismatch([String: Any].self, "an object", value, codingPath)
        }
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw JSONDecodingErrors.mismatch([Any].self, "an array", value, codingPath)
        }
        return JSONUnkeyedDecodingContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueDecodingContainer(value: value, codingPath: codingPath)
    }

    /// Decodes the whole value as `type`, short-cutting the primitive types.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONPrimitiveDecoding.decode(type, from: value, codingPath: codingPath)
    }
}
