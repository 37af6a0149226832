/// A JSON document held in memory: the currency of the model layer.
///
/// Numbers keep the distinction the parser saw: an integer literal that fits `Int64` is
/// ``int(_:)``, anything else is ``double(_:)``. Equality and hashing are numeric, though,
/// so `.int(1) == .double(1.0)`: two documents that mean the same numbers compare equal,
/// whatever spelling produced them.
///
/// Object keys compare as Swift `String`s (canonical equivalence), so two keys that differ
/// only in Unicode normalization are the same member.
public enum JSONValue: Sendable {
    /// JSON `null`.
    case null
    /// JSON `true` or `false`.
    case bool(Bool)
    /// A JSON number written as an integer that fits in `Int64`.
    case int(Int64)
    /// Any other JSON number. Never NaN or infinite when built by the parser or the encoder.
    case double(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([JSONValue])
    /// A JSON object. Member order is not kept; the writer sorts keys.
    case object([String: JSONValue])
}

extension JSONValue {
    /// The member named `key` when this value is an object; `nil` otherwise or when absent.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The members when this value is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements when this value is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The text when this value is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The flag when this value is a boolean.
    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The number as a `Double` when this value is a number (integers may round).
    public var doubleValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// Whether this value is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as it would appear in a URL query for exact-match filters.
    ///
    /// Strings appear as-is (unquoted, unescaped), numbers in their JSON spelling (an
    /// integral double such as `20.0` spells `20`, so `?price=20` matches it), booleans as
    /// `true`/`false`, null as `null`. Arrays and objects use their compact JSON text.
    public var queryString: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .string(let text): return text
        case .int, .double, .array, .object:
            return String(decoding: JSONWriter.bytes(self), as: UTF8.self)
        }
    }

    /// A word naming the kind of value, used in error messages ("a string", "null").
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact, key-sorted JSON text of the value.
    public var description: String {
        String(decoding: JSONWriter.bytes(self), as: UTF8.self)
    }
}
