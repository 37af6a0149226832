import Testing

@testable import LithairCore

@Suite struct JSONWriterTests {
    private func text(_ value: JSONValue) -> String { JSONWriter.string(value) }

    @Test func compactWithSortedKeys() {
        let value: JSONValue = .object([
            "b": .int(1), "a": .array([.null, .bool(true), .bool(false)]), "é": .string("x"), "Z": .object([:]),
        ])
        #expect(text(value) == #"{"Z":{},"a":[null,true,false],"b":1,"é":"x"}"#)
        // A key sorts before every longer key it begins; "é" (0xC3 0xA9) after "z" and "zz".
        let prefixes: JSONValue = .object([
            "ab": .int(1), "a": .int(2), "": .int(3), "é": .int(4), "zz": .int(5), "z": .int(6), "b": .int(7),
        ])
        #expect(text(prefixes) == #"{"":3,"a":2,"ab":1,"b":7,"z":6,"zz":5,"é":4}"#)
    }

    @Test func escapesStrings() {
        #expect(text(.string("q\" b\\ s/ \n\r\t\u{08}\u{0C}\u{01}\u{1F}")) == #""q\" b\\ s/ \n\r\t\b\f\u0001\u001f""#)
        #expect(text(.string("héllo 世界 😀")) == "\"héllo 世界 😀\"")
        #expect(text(.string("")) == "\"\"")
    }

    @Test func numbers() {
        #expect(text(.int(0)) == "0")
        #expect(text(.int(-42)) == "-42")
        #expect(text(.int(.max)) == "9223372036854775807")
        #expect(text(.int(.min)) == "-9223372036854775808")
        #expect(text(.double(20)) == "20")
        #expect(text(.double(-0.0)) == "0")
        #expect(text(.double(0.1)) == "0.1")
        #expect(text(.double(19.99)) == "19.99")
        #expect(text(.double(1e-5)) == "1e-05")
        #expect(text(.double(1e20)) == "1e+20")
        #expect(text(.double(.greatestFiniteMagnitude)) == "1.7976931348623157e+308")
        #expect(text(.double(.nan)) == "null")
    }

    @Test func doublesRoundTripExactly() throws {
        let samples: [Double] = [
            0.1, 1 / 3, 2.5e-300, 123_456.789, .leastNonzeroMagnitude, 9_007_199_254_740_994, -1e22, 4.35,
        ]
        for sample in samples {
            let parsed = try JSONParser.parse(JSONWriter.bytes(.double(sample)))
            #expect(parsed.doubleValue == sample, "\(sample)")
        }
    }

    @Test func deterministicForEqualValues() {
        var first: [String: JSONValue] = [:]
        var second: [String: JSONValue] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        #expect(JSONWriter.bytes(.object(first)) == JSONWriter.bytes(.object(second)))
        #expect(JSONWriter.bytes(.int(3)) == JSONWriter.bytes(.double(3)))
    }

    @Test func roundTripsThroughParser() throws {
        let source = #"{"a":[1,2.5,"x\n\u0000",{"b":null}],"c":true,"d":-9223372036854775808,"e":"😀"}"#
        let value = try JSONParser.parse(source)
        let written = text(value)
        #expect(written == source)
        #expect(try JSONParser.parse(written) == value)
    }

    @Test func writeAppends() {
        var buffer = Array("x".utf8)
        JSONWriter.write(.array([.int(1)]), into: &buffer)
        #expect(buffer == Array("x[1]".utf8))
        #expect(JSONValue.object(["a": .int(1)]).description == #"{"a":1}"#)
    }
}
