/// The recursive-descent scanner behind ``JSONParser``: a cursor over raw bytes.
///
/// Every read is bounds-checked against `count`; `peek` returns `nil` at the end, so no
/// input can read out of range.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    let count: Int
    let maxDepth: Int
    var position = 0
    var depth = 0

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.count = bytes.count
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < count {
            throw error("unexpected trailing \(describe(bytes[position])) after the JSON value")
        }
        return value
    }

    // MARK: Values

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard position < count else { throw error("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case let byte: throw error("unexpected \(describe(byte)), expected a value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let length = word.utf8CodeUnitCount
        let start = word.utf8Start
        for index in 0..<length {
            guard position + index < count else {
                throw JSONParseError(offset: count, message: "unexpected end of input in literal '\(word)'")
            }
            if bytes[position + index] != start[index] {
                throw JSONParseError(
                    offset: position + index,
                    message: "unexpected \(describe(bytes[position + index])) in literal '\(word)'")
            }
        }
        position += length
        return value
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        position += 1  // [
        skipWhitespace()
        if position < count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array([])
        }
        var elements: [JSONValue] = []
        elements.reserveCapacity(4)
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard position < count else { throw error("unexpected end of input in array, expected ',' or ']'") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            position -= 1
            throw error("unexpected \(describe(byte)) in array, expected ',' or ']'")
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        position += 1  // {
        skipWhitespace()
        if position < count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object([:])
        }
        // Start with room for a typical model; growing from empty rehashes three times.
        var members = [String: JSONValue](minimumCapacity: 8)
        while true {
            skipWhitespace()
            guard position < count else { throw error("unexpected end of input in object, expected a key") }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describe(bytes[position])) in object, expected a string key")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < count else { throw error("unexpected end of input in object, expected ':'") }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describe(bytes[position])) in object, expected ':'")
            }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()  // duplicate keys: the last one wins
            skipWhitespace()
            guard position < count else { throw error("unexpected end of input in object, expected ',' or '}'") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            position -= 1
            throw error("unexpected \(describe(byte)) in object, expected ',' or '}'")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func enterContainer() throws(JSONParseError) {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        depth += 1
    }

    // MARK: Helpers

    mutating func skipWhitespace() {
        while position < count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(offset: position, message: message)
    }

    func error(_ message: String, at offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, message: message)
    }

    /// A byte as it reads in an error message: printable ASCII quoted, anything else in hex.
    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F && byte != UInt8(ascii: "'") {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(byte < 16 ? "0" : "")\(hex)"
    }
}
