import Foundation

/// One plain TCP connection speaking HTTP/1.1 by hand: for what an HTTP client library will
/// not do, such as pipelining several requests in one write.
final class RawHTTPConnection {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    private let socket: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ProcessFailure(message: "socket() failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw ProcessFailure(message: "connect to port \(port) failed: errno \(errno)")
        }
    }

    deinit { close(socket) }

    /// A request's bytes, with `Content-Length` for `body`.
    static func request(_ method: String, _ path: String, body: String = "", headers: [String] = []) -> [UInt8] {
        let lines =
            ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1", "Content-Length: \(body.utf8.count)"] + headers
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw ProcessFailure(message: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// The next response (with a `Content-Length` body).
    func readResponse() throws -> Response {
        let end = Array("\r\n\r\n".utf8)
        while true {
            if let range = buffer.firstRange(of: end) {
                let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < range.upperBound + length { try receive() }
                let body = String(decoding: buffer[range.upperBound..<range.upperBound + length], as: UTF8.self)
                buffer.removeFirst(range.upperBound + length)
                let status = Int(head[0].split(separator: " ")[1]) ?? 0
                return Response(status: status, headers: headers, body: body)
            }
            try receive()
        }
    }

    /// Whether the server has closed the connection (after what it sent was read).
    func isClosedByServer() throws -> Bool {
        var byte: UInt8 = 0
        return recv(socket, &byte, 1, 0) == 0
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else { throw ProcessFailure(message: "connection closed or timed out (errno \(errno))") }
        buffer += chunk[..<count]
    }
}
