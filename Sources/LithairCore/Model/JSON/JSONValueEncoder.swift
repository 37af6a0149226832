/// Encodes `Encodable` types straight to a ``JSONValue``, with no text in between.
///
/// Follows Swift's synthesized conventions: an optional property that is `nil` is omitted
/// (`encodeIfPresent`), integers become ``JSONValue/int(_:)`` (a `UInt64` above
/// `Int64.max` becomes a double), `Double`/`Float` become ``JSONValue/double(_:)``.
///
/// `Date` has no special handling (no Foundation here): it encodes through its own
/// `Codable` as seconds since 2001-01-01.
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value`.
    ///
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite `Double`/`Float`, which
    ///   JSON cannot represent.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONEncodingNode.encode(value, codingPath: []).resolve()
    }
}

/// The `Encoder` handed to `encode(to:)`: collects what one value encodes.
final class JSONEncoderImpl: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// What has been encoded so far; `nil` until a container is requested and used.
    var node: JSONEncodingNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONObjectBox
        if case .object(let existing) = node {
            box = existing
        } else {
            box = JSONObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONArrayBox
        if case .array(let existing) = node {
            box = existing
        } else {
            box = JSONArrayBox()
            node = .array(box)
        }
        return JSONUnkeyedEncodingContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueEncodingContainer(encoder: self)
    }
}

/// Mutable storage for an object being encoded; shared by containers on the same value.
///
/// Finished values go straight into `members`; only nested containers and super encoders,
/// which may still be written to after they are attached, wait in `pending` until the end.
final class JSONObjectBox {
    /// Room for a typical model up front: growing from empty rehashes three times.
    var members = [String: JSONValue](minimumCapacity: 8)
    var pending: [String: JSONEncodingNode] = [:]

    func set(_ value: JSONValue, forKey key: String) {
        members[key] = value
        if !pending.isEmpty { pending.removeValue(forKey: key) }
    }

    func set(_ node: JSONEncodingNode, forKey key: String) {
        if case .value(let value) = node {
            set(value, forKey: key)
        } else {
            pending[key] = node
        }
    }

    func resolve() -> JSONValue {
        if pending.isEmpty { return .object(members) }
        var result = members
        for (key, node) in pending { result[key] = node.resolve() }
        return .object(result)
    }
}

/// Mutable storage for an array being encoded, with the same deferral as ``JSONObjectBox``.
final class JSONArrayBox {
    var elements: [JSONValue] = []
    var pending: [(index: Int, node: JSONEncodingNode)] = []

    func append(_ node: JSONEncodingNode) {
        if case .value(let value) = node {
            elements.append(value)
        } else {
            pending.append((elements.count, node))
            elements.append(.null)
        }
    }

    func resolve() -> JSONValue {
        if pending.isEmpty { return .array(elements) }
        var result = elements
        for (index, node) in pending { result[index] = node.resolve() }
        return .array(result)
    }
}

/// A value under construction. Containers are reference boxes because `Encoder` hands out
/// nested containers that keep writing after they are attached to their parent; the tree
/// is turned into a ``JSONValue`` once, at the end.
enum JSONEncodingNode {
    case value(JSONValue)
    case object(JSONObjectBox)
    case array(JSONArrayBox)
    case encoder(JSONEncoderImpl)

    func resolve() -> JSONValue {
        switch self {
        case .value(let value): return value
        case .object(let box): return box.resolve()
        case .array(let box): return box.resolve()
        case .encoder(let encoder): return encoder.node?.resolve() ?? .object([:])
        }
    }

    /// Encodes any `Encodable`, short-cutting primitives reached through generic paths.
    ///
    /// A nested value's `encode(to:)` has returned by the time this does, so its tree is
    /// resolved here and the parent stores a plain ``JSONValue``.
    static func encode<T: Encodable>(_ value: T, codingPath: @autoclosure () -> [any CodingKey]) throws
        -> JSONEncodingNode
    {
        // The bit casts are no-ops: each is guarded by `T == type`.
        if T.self == String.self { return .value(.string(unsafeBitCast(value, to: String.self))) }
        if T.self == Double.self {
            return .value(try JSONPrimitiveEncoding.double(unsafeBitCast(value, to: Double.self), codingPath()))
        }
        if T.self == Int.self { return .value(.int(Int64(unsafeBitCast(value, to: Int.self)))) }
        if T.self == Bool.self { return .value(.bool(unsafeBitCast(value, to: Bool.self))) }
        if T.self == [String].self {
            return .value(.array(unsafeBitCast(value, to: [String].self).map { .string($0) }))
        }
        if T.self == JSONValue.self { return .value(unsafeBitCast(value, to: JSONValue.self)) }
        let encoder = JSONEncoderImpl(codingPath: codingPath())
        try value.encode(to: encoder)
        return .value(encoder.node?.resolve() ?? .object([:]))
    }
}

/// Conversions from Swift primitives to ``JSONValue``.
enum JSONPrimitiveEncoding {
    static func double(_ number: Double, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard number.isFinite else {
            throw EncodingError.invalidValue(
                number,
                EncodingError.Context(
                    codingPath: codingPath(), debugDescription: "\(number) is not representable in JSON"))
        }
        return .double(number)
    }

    static func integer<I: FixedWidthInteger>(_ number: I) -> JSONValue {
        if let exact = Int64(exactly: number) { return .int(exact) }
        return .double(Double(number))
    }
}
