import LithairConsensus
import Testing

@testable import LithairCore

@Suite struct JSONParserTests {
    private func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private func failure(_ text: String, maxDepth: Int = 64) -> JSONParseError? {
        do {
            _ = try parse(text, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKind() throws {
        let value = try parse(#" { "a" : [1, -2.5, true, false, null, "x", {}, []] } "#)
        #expect(
            value
                == .object([
                    "a": .array([
                        .int(1), .double(-2.5), .bool(true), .bool(false), .null, .string("x"), .object([:]),
                        .array([]),
                    ])
                ]))
    }

    @Test func parsesScalarsAtTopLevel() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" 42 ") == .int(42))
        #expect(try parse("\"s\"") == .string("s"))
        #expect(try parse("\ttrue\r\n") == .bool(true))
    }

    @Test func decodesEveryEscape() throws {
        let value = try parse(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20AC \uD83D\uDE00""#)
        #expect(value == .string("\" \\ / \u{08} \u{0C} \n \r \t A é € 😀"))
    }

    @Test func keepsRawUnicode() throws {
        #expect(try parse("\"héllo – 世界 😀\"") == .string("héllo – 世界 😀"))
    }

    @Test func escapeAfterLongRunKeepsPrefix() throws {
        #expect(try parse(#""abcdefghijklmnopqrstuvwxyz\nend""#) == .string("abcdefghijklmnopqrstuvwxyz\nend"))
    }

    @Test func integersAtInt64Bounds() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-9223372036854775808") == .int(Int64.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("-9223372036854775809") == .double(-9_223_372_036_854_775_808.0))
        #expect(try parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try parse("-0") == .int(0))
        if case .int = try parse("9223372036854775808") { Issue.record("should be a double") }
    }

    @Test func fractionsAndExponents() throws {
        #expect(try parse("0.1") == .double(0.1))
        #expect(try parse("19.99") == .double(19.99))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("1E+3") == .double(1000))
        #expect(try parse("25e-1") == .double(2.5))
        #expect(try parse("-1.5e-3") == .double(-0.0015))
        #expect(try parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try parse("4.9406564584124654e-324") == .double(.leastNonzeroMagnitude))
        #expect(try parse("1e-400") == .double(0))
        #expect(try parse("0.30000000000000004") == .double(0.30000000000000004))
        #expect(try parse("3.141592653589793238462643383279") == .double(3.141592653589793))
        if case .int = try parse("1e3") { Issue.record("exponent form must be a double") }
        if case .int = try parse("1.0") { Issue.record("fraction must be a double") }
    }

    /// The fast path (Clinger) and the fallback must both agree with the standard library's
    /// correctly rounded conversion.
    @Test func decimalsMatchStandardLibrary() throws {
        var generator = SplitMix64(seed: 99)
        for _ in 0..<20_000 {
            let digits = String(
                UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
            let split = Int.random(in: 0...digits.count, using: &generator)
            var text = String(digits.prefix(split))
            if text.isEmpty || (text.count > 1 && text.hasPrefix("0")) { text = "1" + text }
            if split < digits.count { text += "." + digits.dropFirst(split) }
            if Bool.random(using: &generator) { text += "e\(Int.random(in: -330...310, using: &generator))" }
            if Bool.random(using: &generator) { text = "-" + text }
            guard let expected = Double(text), expected.isFinite else { continue }
            let parsed = try JSONParser.parse(text)
            #expect(parsed.doubleValue == expected || parsed == .int(Int64(exactly: expected) ?? -1), "\(text)")
            if case .double(let value) = parsed { #expect(value.sign == expected.sign || value == 0, "\(text)") }
        }
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("{\"a\":1,}", 7, "unexpected character '}'"),
        ("[1,]", 3, "unexpected character ']'"),
        ("[1 2]", 3, "unexpected character '2'"),
        ("01", 0, "leading zero"),
        ("-01", 0, "leading zero"),
        ("1.", 2, "expected a digit after '.'"),
        (".5", 0, "unexpected character '.'"),
        ("1e", 2, "expected a digit in number exponent"),
        ("-", 1, "expected a digit"),
        ("+1", 0, "unexpected character '+'"),
        ("NaN", 0, "unexpected character 'N'"),
        ("Infinity", 0, "unexpected character 'I'"),
        ("-Infinity", 1, "expected a digit"),
        ("1e400", 0, "number out of range"),
        ("// c\n1", 0, "unexpected character '/'"),
        ("/* c */ 1", 0, "unexpected character '/'"),
        ("1 2", 2, "unexpected trailing character '2'"),
        ("{} x", 3, "unexpected trailing character 'x'"),
        ("tru", 3, "unexpected end of input in literal"),
        ("nul1", 3, "unexpected character '1' in literal"),
        ("\"abc", 4, "unterminated string"),
        ("\"a\u{01}\"", 2, "unescaped control character"),
        ("\"a\nb\"", 2, "unescaped control character"),
        (#""\x""#, 1, "invalid escape '\\x'"),
        (#""\u12G4""#, 5, "invalid hex digit"),
        (#""\u12""#, 3, "unterminated \\u escape"),
        (#""\uD800""#, 1, "unpaired high surrogate"),
        (#""\uD800\u0041""#, 1, "high surrogate not followed by a low surrogate"),
        (#""\uDC00""#, 1, "unpaired low surrogate"),
        ("{\"a\" 1}", 5, "expected ':'"),
        ("{1:2}", 1, "expected a string key"),
        ("['a']", 1, "unexpected byte 0x27"),
        ("[", 1, "unexpected end of input"),
        ("{\"a\":1", 6, "unexpected end of input in object"),
    ])
    func rejects(input: String, offset: Int, message: String) {
        let error = failure(input)
        #expect(error?.offset == offset, "\(input): \(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(input): \(String(describing: error))")
    }

    @Test func rejectsInvalidUTF8() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0xFF, 0x22], 1),  // never valid
            ([0x22, 0x61, 0xC3, 0x22], 2),  // truncated 2-byte sequence
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong '/'
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong 3-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
            ([0x22, 0xE2, 0x82], 1),  // truncated at end of input
            ([0x22, 0x80, 0x22], 1),  // stray continuation byte
        ]
        for (bytes, offset) in cases {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
            do {
                _ = try JSONParser.parse(bytes)
            } catch {
                #expect(error.offset == offset, "\(bytes): \(error)")
            }
        }
    }

    @Test func errorDescriptionNamesTheByte() {
        #expect(
            failure("{\"a\":1,}")?.description == "unexpected character '}' in object, expected a string key at byte 7")
        #expect(failure("[1,\u{01}]")?.description == "unexpected byte 0x01, expected a value at byte 3")
    }

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try parse(ok).arrayValue != nil)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(failure(deep)?.message.contains("nesting deeper than 64") == true)
        #expect(failure(deep)?.offset == 64)
        #expect(failure("{\"a\":{\"b\":1}}", maxDepth: 1)?.offset == 5)
        #expect(failure("[]", maxDepth: 0) != nil)
        #expect(try parse("1", maxDepth: 0) == .int(1))
    }

    @Test func hugeDepthRequestIsCappedNotOverflowed() {
        let count = 100_000
        let deep = String(repeating: "[", count: count) + String(repeating: "]", count: count)
        let error = failure(deep, maxDepth: Int.max)
        #expect(error?.offset == JSONParser.depthCeiling)
    }

    @Test func duplicateKeysLastWins() throws {
        #expect(try parse(#"{"a":1,"a":2}"#) == .object(["a": .int(2)]))
    }

    @Test func acceptsEveryInputShape() throws {
        let text = #"{"k":[1,"v"]}"#
        let expected: JSONValue = .object(["k": .array([.int(1), .string("v")])])
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(Array(text.utf8)[...]) == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(
            try Array(text.utf8).withUnsafeBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
                == expected)
        // A non-contiguous collection is copied once.
        #expect(try JSONParser.parse(AnyCollection(Array(text.utf8))) == expected)
    }
}
