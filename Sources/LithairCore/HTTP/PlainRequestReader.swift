import HTTPTypes

/// A request head in the plainest HTTP/1.1 form, read by ``PlainRequestReader``.
struct PlainRequestHead {
    /// The request as the HTTP stack would hand it on: path as sent, scheme `http`, the first
    /// `Host` as authority and every other field in order.
    var request: HTTPRequest
    /// Bytes from the request line up to and including the blank line.
    var headLength: Int
    /// `Content-Length`, or 0 without one.
    var contentLength: Int
    var keepAlive: Bool
}

/// Reads request heads that need none of HTTP's harder cases, straight from a connection's
/// bytes, for ``PlainRequestFastPath``.
///
/// Anything else is `unsupported` and left to the full HTTP stack (llhttp), which answers
/// malformed requests with its own errors: only what both readers take the same way is read
/// here. That means `METHOD SP origin-form-target SP HTTP/1.1 CRLF` (GET, POST, PUT, PATCH or
/// DELETE; the target in URI characters only), then fields as
/// `token ":" OWS visible-ASCII-value OWS CRLF` (no folding, no bare `LF`, no bytes above
/// 0x7E), at most one `Content-Length` of digits, no `Transfer-Encoding`, `Upgrade` or `Expect`,
/// and `Connection` absent, `keep-alive` or `close`.
enum PlainRequestReader {
    enum Outcome {
        /// The head is not complete yet.
        case incomplete
        case unsupported
        case head(PlainRequestHead)
    }

    static let maxHeadBytes = 16 * 1024
    static let maxFields = 64

    static func read(_ bytes: UnsafeRawBufferPointer, secure: Bool = false) -> Outcome {
        var reader = Reader(bytes: bytes[..<min(bytes.count, maxHeadBytes)])
        let outcome = reader.head(secure: secure)
        if case .incomplete = outcome, bytes.count >= maxHeadBytes { return .unsupported }
        return outcome
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer.SubSequence
        var position: Int

        init(bytes: UnsafeRawBufferPointer.SubSequence) {
            self.bytes = bytes
            self.position = bytes.startIndex
        }

        private enum Failure: Error {
            case incomplete
            case unsupported
        }

        mutating func head(secure: Bool) -> Outcome {
            do {
                return .head(try readHead(secure: secure))
            } catch .incomplete {
                return .incomplete
            } catch {
                return .unsupported
            }
        }

        private mutating func readHead(secure: Bool) throws(Failure) -> PlainRequestHead {
            let method = try readMethod()
            let path = try readTarget()
            try expect("HTTP/1.1\r\n")
            var fields = HTTPFields()
            var authority: String?
            var contentLength: Int?
            var keepAlive = true
            while true {
                if try peek() == UInt8(ascii: "\r") {
                    try expect("\r\n")
                    break
                }
                guard fields.count < PlainRequestReader.maxFields else { throw .unsupported }
                let (name, value) = try readField()
                switch name.canonicalName {
                case "content-length":
                    guard contentLength == nil else { throw .unsupported }
                    guard let length = LithairCore.contentLength(value) else { throw .unsupported }
                    contentLength = length
                case "transfer-encoding", "upgrade", "expect":
                    throw .unsupported
                case "connection":
                    switch value.lowercased() {
                    case "keep-alive": keepAlive = true
                    case "close": keepAlive = false
                    default: throw .unsupported
                    }
                case "host" where authority == nil:
                    authority = value
                    continue
                default:
                    break
                }
                fields.append(HTTPField(name: name, value: value))
            }
            let request = HTTPRequest(
                method: method, scheme: secure ? "https" : "http", authority: authority, path: path,
                headerFields: fields)
            return PlainRequestHead(
                request: request, headLength: position - bytes.startIndex, contentLength: contentLength ?? 0,
                keepAlive: keepAlive)
        }

        private func peek() throws(Failure) -> UInt8 {
            guard position < bytes.endIndex else { throw .incomplete }
            return bytes[position]
        }

        private mutating func expect(_ literal: StaticString) throws(Failure) {
            for byte in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
                guard try peek() == byte else { throw .unsupported }
                position += 1
            }
        }

        /// Reads bytes while `accepts` holds, up to `terminator`, which it consumes.
        private mutating func readRun(
            until terminator: UInt8, max: Int, _ accepts: (UInt8) -> Bool
        ) throws(Failure) -> Range<Int> {
            let start = position
            while true {
                let byte = try peek()
                if byte == terminator { break }
                guard accepts(byte), position - start < max else { throw .unsupported }
                position += 1
            }
            let run = start..<position
            position += 1
            guard !run.isEmpty else { throw .unsupported }
            return run
        }

        private func text(_ run: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[run]), as: UTF8.self)
        }

        private mutating func readMethod() throws(Failure) -> HTTPRequest.Method {
            let run = try readRun(until: UInt8(ascii: " "), max: 16) {
                $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")
            }
            let name = text(run)
            switch name {
            case "POST": return .post
            case "GET": return .get
            case "PUT": return .put
            case "DELETE": return .delete
            case "PATCH": return .patch
            default: throw .unsupported
            }
        }

        private mutating func readTarget() throws(Failure) -> String {
            guard try peek() == UInt8(ascii: "/") else { throw .unsupported }
            let run = try readRun(until: UInt8(ascii: " "), max: PlainRequestReader.maxHeadBytes, Self.isTargetByte)
            return text(run)
        }

        private mutating func readField() throws(Failure) -> (HTTPField.Name, String) {
            let nameRun = try readRun(until: UInt8(ascii: ":"), max: 256, Self.isTokenByte)
            guard let name = HTTPField.Name(text(nameRun)) else { throw .unsupported }
            while case let byte = try peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { position += 1 }
            let start = position
            while try peek() != UInt8(ascii: "\r") {
                let byte = bytes[position]
                guard (byte >= 0x20 && byte < 0x7F) || byte == UInt8(ascii: "\t") else { throw .unsupported }
                position += 1
            }
            var end = position
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            try expect("\r\n")
            return (name, text(start..<end))
        }

        /// Unreserved and reserved URI characters and `%`: nothing a stricter parser might refuse.
        private static func isTargetByte(_ byte: UInt8) -> Bool { targetBytes[Int(byte)] }

        private static func isTokenByte(_ byte: UInt8) -> Bool { tokenBytes[Int(byte)] }

        private static let targetBytes = byteTable(extra: "-._~!$&'()*+,;=:@/?%")
        private static let tokenBytes = byteTable(extra: "!#$%&'*+-.^_`|~")

        /// Letters, digits and `extra`, as a table: looking bytes up in a string's UTF-8 view
        /// for every character of every header name showed up in profiles.
        private static func byteTable(extra: String) -> [Bool] {
            var table = [Bool](repeating: false, count: 256)
            for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
            for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
            for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
            for byte in extra.utf8 { table[Int(byte)] = true }
            return table
        }
    }
}
