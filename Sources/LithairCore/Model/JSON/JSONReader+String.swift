// String scanning. The common case (no escapes) scans the bytes once, validating UTF-8 in
// the same pass, and builds the `String` from the slice in one go. Escapes switch to a byte
// buffer that is still filled run by run, never character by character.

extension JSONReader {
    /// Parses the string starting at the opening quote under the cursor.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = position + 1
        var index = start
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(runStart: start, escapeAt: index)
            }
            index = try scanCharacter(byte, at: index)
        }
        throw error("unterminated string", at: count)
    }

    /// Continues a string once the first escape is found, accumulating bytes.
    private mutating func parseEscapedString(runStart: Int, escapeAt: Int) throws(JSONParseError) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(escapeAt - runStart + 16)
        var runStart = runStart
        var index = escapeAt
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                utf8.append(contentsOf: bytes[runStart..<index])
                position = index + 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                utf8.append(contentsOf: bytes[runStart..<index])
                index = try appendEscape(at: index, to: &utf8)
                runStart = index
                continue
            }
            index = try scanCharacter(byte, at: index)
        }
        throw error("unterminated string", at: count)
    }

    /// Checks one unescaped character starting with `byte` and returns the index after it.
    @inline(__always)
    private func scanCharacter(_ byte: UInt8, at index: Int) throws(JSONParseError) -> Int {
        if byte >= 0x80 { return try validateUTF8Sequence(at: index) }
        if byte < 0x20 {
            throw error("unescaped control character \(describe(byte)) in string", at: index)
        }
        return index + 1
    }

    /// Validates the multi-byte UTF-8 sequence at `index` (RFC 3629: no overlongs, no
    /// surrogates, nothing above U+10FFFF) and returns the index after it.
    private func validateUTF8Sequence(at index: Int) throws(JSONParseError) -> Int {
        let lead = bytes[index]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF4: length = 4; secondHigh = 0x8F
        case 0xF1...0xF3: length = 4
        default: throw error("invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true))", at: index)
        }
        guard index + length <= count else { throw error("truncated UTF-8 sequence", at: index) }
        let second = bytes[index + 1]
        guard second >= secondLow && second <= secondHigh else {
            throw error("invalid UTF-8 sequence", at: index)
        }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            throw error("invalid UTF-8 sequence", at: index)
        }
        return index + length
    }

    /// Decodes the escape at `index` (a backslash) into `utf8`; returns the index after it.
    private func appendEscape(at index: Int, to utf8: inout [UInt8]) throws(JSONParseError) -> Int {
        guard index + 1 < count else { throw error("unterminated string", at: count) }
        let code = bytes[index + 1]
        let simple: UInt8
        switch code {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): return try appendUnicodeEscape(at: index, to: &utf8)
        default: throw error("invalid escape '\\\(describeEscape(code))' in string", at: index)
        }
        utf8.append(simple)
        return index + 2
    }

    /// Decodes `\uXXXX`, or a `\uD8xx\uDCxx` surrogate pair, at `index`.
    private func appendUnicodeEscape(at index: Int, to utf8: inout [UInt8]) throws(JSONParseError) -> Int {
        let unit = try readHex4(at: index + 2)
        var scalarValue = UInt32(unit)
        var next = index + 6
        if unit >= 0xD800 && unit <= 0xDBFF {
            guard next + 1 < count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u") else {
                throw error("unpaired high surrogate in \\u escape", at: index)
            }
            let low = try readHex4(at: next + 2)
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw error("high surrogate not followed by a low surrogate in \\u escape", at: index)
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        } else if unit >= 0xDC00 && unit <= 0xDFFF {
            throw error("unpaired low surrogate in \\u escape", at: index)
        }
        appendUTF8(scalarValue, to: &utf8)
        return next
    }

    /// Appends the UTF-8 form of a scalar value (surrogates already excluded, at most 0x10FFFF).
    private func appendUTF8(_ value: UInt32, to utf8: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            utf8.append(UInt8(value))
        case 0x80..<0x800:
            utf8.append(0xC0 | UInt8(value >> 6))
            utf8.append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x10000:
            utf8.append(0xE0 | UInt8(value >> 12))
            utf8.append(0x80 | UInt8((value >> 6) & 0x3F))
            utf8.append(0x80 | UInt8(value & 0x3F))
        default:
            utf8.append(0xF0 | UInt8(value >> 18))
            utf8.append(0x80 | UInt8((value >> 12) & 0x3F))
            utf8.append(0x80 | UInt8((value >> 6) & 0x3F))
            utf8.append(0x80 | UInt8(value & 0x3F))
        }
    }

    /// Reads four hex digits at `index` as a UTF-16 code unit.
    private func readHex4(at index: Int) throws(JSONParseError) -> UInt16 {
        guard index + 4 <= count else { throw error("unterminated \\u escape", at: min(index, count)) }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit \(describe(byte)) in \\u escape", at: index + offset)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func describeEscape(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F
            ? String(Character(Unicode.Scalar(byte))) : "x\(String(byte, radix: 16, uppercase: true))"
    }
}
