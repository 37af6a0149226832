import NIOCore

/// Reads the replies on a peer connection from its raw bytes: HTTP/1.1 responses with a
/// `Content-Length`, which is how every node answers a Raft message.
///
/// A peer's reply is on the path of every replicated write, and NIO's HTTP client codec (the
/// llhttp parser, a head with a header list, a part per piece) cost more than the reply's
/// JSON. Anything this reader does not expect — chunked or unsized bodies, a head over 16 KiB,
/// a reply over 1 MiB, bytes that are not HTTP — ends the connection, and with it the request
/// in flight, as a failure the connection recovers from by reconnecting.
final class PeerReplyReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// A response head: status, length of the head (through the blank line) and of the body.
    struct Head: Equatable {
        var status: Int
        var headLength: Int
        var contentLength: Int
    }

    enum Parsed: Equatable {
        case incomplete
        case invalid(String)
        case head(Head)
    }

    static let maxHeadBytes = 16 * 1024
    static let maxReplyBytes = 1 << 20

    private let connection: PeerConnection
    private var unread: ByteBuffer?

    init(connection: PeerConnection) { self.connection = connection }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        unread.accumulate(&chunk)
        while var bytes = unread, bytes.readableBytes > 0 {
            switch bytes.withUnsafeReadableBytes(Self.parse) {
            case .incomplete:
                return
            case .invalid(let reason):
                unread = nil
                return fail(ReplyUnreadable(reason: reason), context: context)
            case .head(let head):
                guard bytes.readableBytes >= head.headLength + head.contentLength else { return }
                bytes.moveReaderIndex(forwardBy: head.headLength)
                let body = bytes.readSlice(length: head.contentLength)!
                unread = bytes.readableBytes > 0 ? bytes : nil
                // An interim answer (1xx) is followed by the real one.
                if head.status >= 200 { connection.replied(status: head.status, body: body) }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        unread = nil
        connection.connectionLost(context.channel, error: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        connection.connectionLost(context.channel, error: error)
        context.close(promise: nil)
    }

    /// Reads the response head at the start of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Parsed {
        let limit = min(bytes.count, maxHeadBytes)
        guard let end = headEnd(bytes, limit: limit) else {
            return bytes.count >= maxHeadBytes ? .invalid("reply head over \(maxHeadBytes) bytes") : .incomplete
        }
        let lines = bytes[..<end].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0
        }
        guard let statusLine = lines.first, let status = statusCode(statusLine) else {
            return .invalid("not an HTTP/1.1 reply")
        }
        var contentLength: Int?
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .invalid("malformed reply header") }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            switch name {
            case "content-length":
                guard contentLength == nil, let length = LithairCore.contentLength(value) else {
                    return .invalid("bad Content-Length in reply")
                }
                contentLength = length
            case "transfer-encoding":
                return .invalid("a reply with Transfer-Encoding")
            default:
                break
            }
        }
        let bodyless = status < 200 || status == 204 || status == 304
        guard let length = bodyless ? 0 : contentLength else { return .invalid("a reply without Content-Length") }
        guard length <= maxReplyBytes else { return .invalid("reply larger than \(maxReplyBytes) bytes") }
        return .head(Head(status: status, headLength: end + 2 - bytes.startIndex, contentLength: length))
    }

    /// The index of the blank line's `\r\n` (the head's last two bytes), if within `limit`.
    private static func headEnd(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        var index = 3
        while index < limit {
            if bytes[index] == UInt8(ascii: "\n"), bytes[index - 1] == UInt8(ascii: "\r"),
                bytes[index - 2] == UInt8(ascii: "\n"), bytes[index - 3] == UInt8(ascii: "\r")
            {
                return index - 1
            }
            index += 1
        }
        return nil
    }

    /// `HTTP/1.x NNN reason` → NNN.
    private static func statusCode(_ line: Slice<UnsafeRawBufferPointer>) -> Int? {
        let prefix = Array("HTTP/1.".utf8)
        guard line.count >= 12, line.starts(with: prefix) else { return nil }
        let digits = line.dropFirst(prefix.count + 2).prefix(3)
        let version = line[line.startIndex + prefix.count]
        guard version == UInt8(ascii: "1") || version == UInt8(ascii: "0"),
            line[line.startIndex + prefix.count + 1] == UInt8(ascii: " "), digits.allSatisfy(isDigit),
            line.count == 12 || line[line.startIndex + 12] == UInt8(ascii: " ")
        else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

private struct ReplyUnreadable: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
