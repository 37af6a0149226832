import HTTPTypes
import LithairConsensus
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Testing

@testable import LithairCore

/// The fast path's reader must take a request exactly as the HTTP stack behind it would (llhttp
/// and the HTTP/1 to HTTPTypes conversion), or leave it to that stack.
@Suite("Plain request heads read from raw bytes")
struct PlainRequestReaderTests {
    private struct StackReading: Equatable {
        var request: HTTPRequest
        var body: [UInt8]
    }

    /// What the server's HTTP stack makes of `bytes`: the first request and its body, or `nil`
    /// when it refuses them or wants more.
    private func stack(_ bytes: [UInt8]) -> StackReading? {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        do {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false)
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        } catch {
            Issue.record("pipeline: \(error)")
            return nil
        }
        // Bytes after the first request may be refused (a damaged length leaves some): what
        // was read before that stands.
        _ = try? channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        var request: HTTPRequest?
        var body: [UInt8] = []
        while let part = try? channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let head): request = head
            case .body(let chunk): body += chunk.readableBytesView
            case .end: return request.map { StackReading(request: $0, body: body) }
            }
        }
        return nil
    }

    private func plain(_ bytes: [UInt8]) -> PlainRequestReader.Outcome {
        bytes.withUnsafeBytes { PlainRequestReader.read($0) }
    }

    private func plainReading(_ bytes: [UInt8]) -> StackReading? {
        guard case .head(let head) = plain(bytes), bytes.count >= head.headLength + head.contentLength else {
            return nil
        }
        return StackReading(
            request: head.request, body: Array(bytes[head.headLength..<head.headLength + head.contentLength]))
    }

    private static let tokenBytes = Array("abcxyzABCXYZ019!#$%&'*+-.^_`|~".utf8)
    private static let valueBytes = Array("abcXYZ 09\t\"(),/:;<=>?@[\\]{}~".utf8)
    private static let targetBytes = Array("abcXYZ09-._~!$&'()*+,;=:@/?%".utf8)

    private func randomRequest(using generator: inout SplitMix64) -> [UInt8] {
        func pick(_ bytes: [UInt8], _ range: ClosedRange<Int>) -> String {
            String(
                decoding: (0..<Int.random(in: range, using: &generator)).map { _ in
                    bytes.randomElement(using: &generator)!
                }, as: UTF8.self)
        }
        let method = ["GET", "POST", "PUT", "PATCH", "DELETE"].randomElement(using: &generator)!
        var lines = ["\(method) /\(pick(Self.targetBytes, 0...30)) HTTP/1.1"]
        if Bool.random(using: &generator) {
            lines.append("Host: 127.0.0.1:\(Int.random(in: 1...65535, using: &generator))")
        }
        let body = pick(Self.valueBytes, 0...40)
        var lengthWritten = false
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            switch generator.next() % 6 {
            case 0 where !lengthWritten:
                lengthWritten = true
                lines.append("Content-Length: \(body.utf8.count)")
            case 1:
                lines.append("Connection: \(["close", "keep-alive", "Keep-Alive"].randomElement(using: &generator)!)")
            case 2: lines.append("Host: second.example")
            default:
                let space = [" ", "", "\t", "  "]
                lines.append(
                    pick(Self.tokenBytes, 1...12) + ":" + space.randomElement(using: &generator)!
                        + pick(Self.valueBytes, 0...20).trimmingOWS() + space.randomElement(using: &generator)!)
            }
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + (lengthWritten ? body : "")).utf8)
    }

    @Test("a typical create is read with its fields, length and keep-alive")
    func typicalCreate() throws {
        let body = #"{"name":"n","price":1}"#
        let text =
            "POST /api/products HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nX-Trace:  a b \r\n\r\n" + body
        guard case .head(let head) = plain(Array(text.utf8)) else {
            Issue.record("not read")
            return
        }
        #expect(head.request.method == .post)
        #expect(head.request.path == "/api/products")
        #expect(head.request.authority == "127.0.0.1:8080")
        #expect(head.request.headerFields[.contentType] == "application/json")
        #expect(head.request.headerFields[HTTPField.Name("X-Trace")!] == "a b")
        #expect(head.request.headerFields[HTTPField.Name("Host")!] == nil)
        #expect(head.contentLength == body.utf8.count)
        #expect(head.headLength == text.utf8.count - body.utf8.count)
        #expect(head.keepAlive)
        #expect(plainReading(Array(text.utf8)) == stack(Array(text.utf8)))
    }

    @Test("every proper prefix of a head is incomplete")
    func prefixesAreIncomplete() {
        let text = Array("PUT /a?b=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\n".utf8)
        for end in 0..<text.count {
            guard case .incomplete = plain(Array(text[..<end])) else {
                Issue.record("prefix of \(end) bytes not incomplete")
                continue
            }
        }
        guard case .head(let head) = plain(text) else {
            Issue.record("not read")
            return
        }
        #expect(!head.keepAlive)
        #expect(head.contentLength == 3)
    }

    @Test("requests in HTTP's harder forms are left to the HTTP stack")
    func harderFormsUnsupported() {
        let heads = [
            "POST /a HTTP/1.0\r\n\r\n",
            "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: \r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
            "POST /a HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
            "GET /a HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
            "GET /a HTTP/1.1\r\nConnection: upgrade\r\n\r\n",
            "GET /a HTTP/1.1\r\nX-A: b\r\n folded\r\n\r\n",
            "GET /a HTTP/1.1\nHost: h\n\n",
            "GET /a HTTP/1.1\r\nHost: h\n\r\n",
            "GET /a HTTP/1.1\r\nX-A : b\r\n\r\n",
            "GET /a HTTP/1.1\r\nX-A: caf\u{E9}\r\n\r\n",
            "GET /a HTTP/1.1\r\nX-A: a\u{0}b\r\n\r\n",
            "GET /a HTTP/1.1\r\n: b\r\n\r\n",
            "GET a HTTP/1.1\r\n\r\n",
            "GET http://h/a HTTP/1.1\r\n\r\n",
            "GET /a\"b HTTP/1.1\r\n\r\n",
            "GET  /a HTTP/1.1\r\n\r\n",
            "get /a HTTP/1.1\r\n\r\n",
            "OPTIONS /a HTTP/1.1\r\n\r\n",
            "BREW /a HTTP/1.1\r\n\r\n",
            "GET /a HTTP/1.1\r\r\n\r\n",
            "GET /a HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 65) + "\r\n",
        ]
        for head in heads {
            guard case .unsupported = plain(Array(head.utf8)) else {
                Issue.record("read or waited for: \(head.debugDescription)")
                continue
            }
        }
        let endless = Array(("GET /a HTTP/1.1\r\nX-A: " + String(repeating: "b", count: 20_000)).utf8)
        guard case .unsupported = plain(endless) else {
            Issue.record("a head over \(PlainRequestReader.maxHeadBytes) bytes was waited for")
            return
        }
    }

    @Test("random plain requests are read exactly as the HTTP stack reads them")
    func randomRequestsAgree() {
        var generator = SplitMix64(seed: 41)
        for _ in 0..<1_000 {
            let bytes = randomRequest(using: &generator)
            let expected = stack(bytes)
            #expect(expected != nil, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            #expect(plainReading(bytes) == expected, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    @Test("damaged requests: whatever the reader takes, the HTTP stack takes alike")
    func damagedRequestsAgree() {
        var generator = SplitMix64(seed: 42)
        let specials = Array(" \t\r\n:/\u{7F}\u{0}".utf8) + [0x80, 0xFF]
        var read = 0
        var left = 0
        for _ in 0..<600 {
            let request = randomRequest(using: &generator)
            for _ in 0..<10 {
                var damaged = request
                let position = Int.random(in: 0..<damaged.count, using: &generator)
                let byte =
                    Bool.random(using: &generator)
                    ? specials.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                switch generator.next() % 3 {
                case 0: damaged[position] = byte
                case 1: damaged.remove(at: position)
                default: damaged.insert(byte, at: position)
                }
                switch plain(damaged) {
                case .head:
                    guard let reading = plainReading(damaged) else { continue }  // body still to come
                    read += 1
                    #expect(stack(damaged) == reading, "\(String(decoding: damaged, as: UTF8.self).debugDescription)")
                case .unsupported:
                    left += 1
                case .incomplete:
                    break
                }
            }
        }
        #expect(read > 1_000)
        #expect(left > 1_000)
    }
}

extension String {
    fileprivate func trimmingOWS() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
