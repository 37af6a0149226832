import LithairConsensus
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import LithairCore

/// Replies to Raft messages are read from raw bytes: what any HTTP/1.1 server sends with a
/// length must be read exactly; anything else must be refused, never misread.
@Suite("Peer replies read from raw bytes")
struct PeerReplyReaderTests {
    private func parse(_ text: String) -> PeerReplyReader.Parsed {
        Array(text.utf8).withUnsafeBytes(PeerReplyReader.parse)
    }

    /// The bytes NIO's server encoder writes for a response.
    private func encoded(status: Int, headers: [(String, String)], body: [UInt8]) throws -> [UInt8] {
        let channel = EmbeddedChannel(handler: HTTPResponseEncoder())
        defer { _ = try? channel.finish() }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: HTTPHeaders(headers))
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var bytes: [UInt8] = []
        while let part = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = part { bytes += buffer.readableBytesView }
        }
        return bytes
    }

    @Test("a node's reply is read: status, head length and body length")
    func nodeReply() {
        let body = #"{"ok":true,"replies":[]}"#
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "date: Sat, 28 Nov 2026 06:00:00 GMT\r\nserver: lithair\r\n\r\n"
        #expect(
            parse(head + body)
                == .head(.init(status: 200, headLength: head.utf8.count, contentLength: body.utf8.count)))
        for end in 0..<head.utf8.count {
            #expect(parse(String(decoding: head.utf8.prefix(end), as: UTF8.self)) == .incomplete, "\(end)")
        }
        #expect(parse("HTTP/1.1 204 No Content\r\n\r\n") == .head(.init(status: 204, headLength: 27, contentLength: 0)))
        #expect(parse("HTTP/1.1 100 Continue\r\n\r\n") == .head(.init(status: 100, headLength: 25, contentLength: 0)))
        #expect(
            parse("HTTP/1.1 401\r\nContent-Length: 2\r\n\r\n{}")
                == .head(.init(status: 401, headLength: 35, contentLength: 2)))
    }

    @Test("replies the reader does not expect are refused")
    func unexpectedReplies() {
        for text in [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/2 200\r\n\r\n",
            "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 20x OK\r\nContent-Length: 0\r\n\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
        ] {
            guard case .invalid = parse(text) else {
                Issue.record("not refused: \(text.debugDescription)")
                continue
            }
        }
        guard case .invalid = parse("HTTP/1.1 200 OK\r\nX: " + String(repeating: "y", count: 20_000)) else {
            Issue.record("a head over \(PeerReplyReader.maxHeadBytes) bytes was waited for")
            return
        }
    }

    @Test("random replies NIO's encoder writes are read with their status and body")
    func encoderRepliesAgree() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let status = [200, 201, 400, 401, 404, 413, 500, 503].randomElement(using: &generator)!
            let body = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            var headers = [("Content-Length", String(body.count))]
            for number in 0..<Int.random(in: 0...5, using: &generator) {
                headers.append(("X-Extra-\(number)", String(repeating: "v", count: number * 7)))
            }
            headers.shuffle(using: &generator)
            let bytes = try encoded(status: status, headers: headers, body: body)
            guard case .head(let head) = bytes.withUnsafeBytes(PeerReplyReader.parse) else {
                Issue.record("not read: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                continue
            }
            #expect(head.status == status)
            #expect(head.headLength + head.contentLength == bytes.count)
            #expect(Array(bytes[head.headLength...]) == body)
        }
    }
}
