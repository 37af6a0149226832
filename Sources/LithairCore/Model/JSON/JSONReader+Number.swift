// Number scanning. Integers are accumulated exactly; decimals take Clinger's fast path
// (mantissa ≤ 2^53 and |power of ten| ≤ 22 is one correctly rounded IEEE operation) and
// fall back to the standard library's correctly rounded text conversion otherwise.

extension JSONReader {
    /// Powers of ten that are exact in a `Double`.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses the number under the cursor (its first byte is `-` or a digit).
    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var index = position
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }

        var mantissa: UInt64 = 0
        var mantissaOverflowed = false
        var fractionDigits = 0

        // Integer part: "0" alone or a non-zero digit followed by digits.
        guard index < count, isDigit(bytes[index]) else {
            throw error("expected a digit in number", at: index)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < count, isDigit(bytes[index]) {
                throw error("leading zero in number", at: start)
            }
        } else {
            while index < count, isDigit(bytes[index]) {
                accumulate(bytes[index], into: &mantissa, overflowed: &mantissaOverflowed)
                index += 1
            }
        }
        var isInteger = true

        // Fraction.
        if index < count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < count, isDigit(bytes[index]) else {
                throw error("expected a digit after '.' in number", at: index)
            }
            while index < count, isDigit(bytes[index]) {
                if !mantissaOverflowed {
                    accumulate(bytes[index], into: &mantissa, overflowed: &mantissaOverflowed)
                    fractionDigits += 1
                }
                index += 1
            }
        }

        // Exponent.
        var exponent = 0
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < count, isDigit(bytes[index]) else {
                throw error("expected a digit in number exponent", at: index)
            }
            while index < count, isDigit(bytes[index]) {
                // Clamp: anything this large is out of range or zero anyway.
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        position = index

        if isInteger && !mantissaOverflowed {
            if !negative && mantissa <= UInt64(Int64.max) { return .int(Int64(mantissa)) }
            if negative && mantissa <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- mantissa)) }
        }
        if !mantissaOverflowed && mantissa <= 1 << 53 {
            let power = exponent - fractionDigits
            if power >= -22 && power <= 22 {
                var value = Double(mantissa)
                value = power < 0 ? value / Self.exactPowersOfTen[-power] : value * Self.exactPowersOfTen[power]
                return .double(negative ? -value : value)
            }
        }
        return try slowDouble(from: start, to: index)
    }

    private func slowDouble(from start: Int, to end: Int) throws(JSONParseError) -> JSONValue {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("number out of range", at: start)
        }
        return .double(value)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    private func accumulate(_ digit: UInt8, into mantissa: inout UInt64, overflowed: inout Bool) {
        let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
        if overflow1 || overflow2 { overflowed = true } else { mantissa = sum }
    }
}
