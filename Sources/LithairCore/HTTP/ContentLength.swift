/// A `Content-Length` value as both raw HTTP readers take it (``PlainRequestReader``,
/// ``PeerReplyReader``): 1 to 10 ASCII digits, nothing else; `nil` otherwise.
func contentLength(_ value: String) -> Int? {
    guard !value.isEmpty, value.utf8.count <= 10,
        value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else { return nil }
    return Int(value)
}
