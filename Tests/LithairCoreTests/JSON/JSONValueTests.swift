import Testing

@testable import LithairCore

@Suite struct JSONValueTests {
    @Test func accessors() {
        let value = testJSON(#"{"a":"x","n":1,"l":[true]}"#)
        #expect(value["a"] == .string("x"))
        #expect(value["missing"] == nil)
        #expect(JSONValue.int(1)["a"] == nil)
        #expect(value.objectValue?.count == 3)
        #expect(value["a"]?.stringValue == "x")
        #expect(value["n"]?.stringValue == nil)
        #expect(value["l"]?.arrayValue == [.bool(true)])
        #expect(value["n"]?.doubleValue == 1)
        #expect(JSONValue.null.isNull)
    }

    @Test func numericEqualityAndHashing() {
        #expect(JSONValue.int(20) == .double(20))
        #expect(JSONValue.double(20) == .int(20))
        #expect(JSONValue.int(20) != .double(20.5))
        #expect(JSONValue.int(.max) != .double(9_223_372_036_854_775_808))
        #expect(JSONValue.int(1) != .string("1"))
        let set: Set<JSONValue> = [.int(20), .double(20), .double(20.5)]
        #expect(set.count == 2)
    }

    @Test func queryString() {
        #expect(JSONValue.string("a b").queryString == "a b")
        #expect(JSONValue.int(-3).queryString == "-3")
        #expect(JSONValue.double(19.99).queryString == "19.99")
        #expect(JSONValue.double(20).queryString == "20")
        #expect(JSONValue.bool(true).queryString == "true")
        #expect(JSONValue.bool(false).queryString == "false")
        #expect(JSONValue.null.queryString == "null")
        #expect(JSONValue.array([.int(1), .string("a")]).queryString == #"[1,"a"]"#)
    }

    @Test func sortOrderAcrossKinds() {
        let shuffled: [JSONValue?] = [
            .object(["a": .int(1)]), .string("b"), .int(2), nil, .array([.int(1)]), .double(1.5), .bool(true),
            .null, .string("a"), .bool(false), .int(-5), .double(-7.25), .array([]), .object([:]),
        ]
        let sorted = shuffled.sorted(by: JSONValue.sortOrder)
        let expected: [JSONValue?] = [
            nil, .null, .bool(false), .bool(true), .double(-7.25), .int(-5), .double(1.5), .int(2), .string("a"),
            .string("b"), .array([]), .array([.int(1)]), .object([:]), .object(["a": .int(1)]),
        ]
        #expect(sorted == expected)
    }

    @Test func sortOrderNumbersExactly() {
        #expect(JSONValue.sortOrder(.int(1), .double(1.5)))
        #expect(!JSONValue.sortOrder(.double(1.5), .int(1)))
        #expect(JSONValue.sortOrder(.double(-1.5), .int(-1)))
        #expect(!JSONValue.sortOrder(.int(-1), .double(-1.5)))
        #expect(!JSONValue.sortOrder(.int(2), .double(2)) && !JSONValue.sortOrder(.double(2), .int(2)))
        // 2^63 - 1 is below the double 2^63 even though it rounds to it.
        #expect(JSONValue.sortOrder(.int(.max), .double(9_223_372_036_854_775_808)))
        #expect(JSONValue.sortOrder(.double(-9_223_372_036_854_777_856), .int(.min)))
        #expect(!JSONValue.sortOrder(nil, nil))
        #expect(JSONValue.sortOrder(nil, .null))
        #expect(!JSONValue.sortOrder(.null, nil))
    }

    @Test func sortOrderStringsByCodePoint() {
        #expect(JSONValue.sortOrder(.string("Z"), .string("a")))
        #expect(JSONValue.sortOrder(.string("a"), .string("ab")))
        #expect(JSONValue.sortOrder(.string("z"), .string("é")))
        #expect(JSONValue.sortOrder(.object(["a": .int(2)]), .object(["b": .int(1)])))
        #expect(JSONValue.sortOrder(.object(["a": .int(1)]), .object(["a": .int(2)])))
    }

    /// RFC 7386, Appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatch(target: String, patch: String, result: String) {
        #expect(testJSON(target).mergePatched(with: testJSON(patch)) == testJSON(result))
        #expect(JSONWriter.string(testJSON(target).mergePatched(with: testJSON(patch))) == result)
    }

    @Test func codableWithOtherCoders() throws {
        struct Wrapper: Codable, Equatable {
            var extra: JSONValue
        }
        let value = Wrapper(extra: testJSON(#"{"a":[1,2.5,null,"s",true]}"#))
        let encoded = try JSONValueEncoder().encode(value)
        #expect(encoded == testJSON(#"{"extra":{"a":[1,2.5,null,"s",true]}}"#))
        #expect(try JSONValueDecoder().decode(Wrapper.self, from: encoded) == value)
        // Through the protocol conformance rather than the shortcut.
        #expect(try JSONValue(from: JSONDecoderImpl(value: encoded, codingPath: [])) == encoded)
        let encoder = JSONEncoderImpl(codingPath: [])
        try encoded.encode(to: encoder)
        #expect(encoder.node?.resolve() == encoded)
    }
}
