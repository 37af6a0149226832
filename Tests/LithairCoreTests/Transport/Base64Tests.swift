import LithairConsensus
import Testing

@testable import LithairCore

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors) func rfc4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func everyByteValueAndLength() throws {
        var generator = SplitMix64(seed: 7)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == (length + 2) / 3 * 4)
            #expect(try Base64.decode(text) == bytes)
            #expect(try Base64.decode(Array(text.utf8)) == bytes)
        }
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64.encode(Array(0...255)[...]) == Base64.encode(Array(0...255)))
    }

    static let invalid: [(text: String, offset: Int, reason: String)] = [
        ("Zg=", 3, "length 3 is not a multiple of 4"),
        ("Zm9vY", 5, "length 5 is not a multiple of 4"),
        ("Zm9v\nYmFy", 9, "length 9 is not a multiple of 4"),
        ("Zm 9", 2, "invalid character"),
        ("Zm9-", 3, "invalid character"),
        ("Zm9_Zm9v", 3, "invalid character"),
        ("Zm9vYm\u{E9}", 6, "invalid character"),
        ("Z===", 1, "misplaced padding"),
        ("====", 0, "misplaced padding"),
        ("Zg==Zm9v", 2, "misplaced padding"),
        ("Zm=v", 2, "misplaced padding"),
        ("Zh==", 1, "non-zero bits before padding"),
        ("Zm9=", 2, "non-zero bits before padding"),
    ]

    @Test(arguments: invalid) func rejectsNonCanonicalText(text: String, offset: Int, reason: String) {
        #expect(throws: Base64.DecodingError(offset: offset, reason: reason)) { try Base64.decode(text) }
    }
}
