import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP client every verify request goes through, with a deadline per request.
final class VerifyHTTP: Sendable {
    struct Reply: Sendable {
        var status: Int
        var etag: String?
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }

        /// The version in the `ETag` header (`"12"` -> 12).
        var version: UInt64? { etag.flatMap { UInt64($0.trimmingCharacters(in: CharacterSet(charactersIn: "\"W/"))) } }

        /// The body as a JSON object, or nil.
        var object: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
    }

    /// Why a request got no HTTP answer.
    enum Failure: Error, Sendable {
        /// The connection was refused: nothing was sent, so the request certainly had no effect.
        case refused
        /// Timed out, or the connection broke after the request may have been sent.
        case indeterminate(String)
    }

    private let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration()
        // The read timeout is a backstop for a body stalled by a paused node; the per-request
        // deadline is the real limit.
        configuration.timeout = .init(connect: .seconds(1), read: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(
        _ method: HTTPMethod, _ url: String, json: String? = nil, headers: [(String, String)] = [],
        timeout: Duration
    ) async throws(Failure) -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)))
            let body = try await response.body.collect(upTo: 16 << 20)
            return Reply(
                status: Int(response.status.code), etag: response.headers.first(name: "etag"),
                body: Array(body.readableBytesView))
        } catch {
            let text = String(describing: error)
            // ECONNREFUSED: the TCP handshake failed, so the request never left this process.
            if text.contains("Connection refused") || text.contains("connectionRefused") { throw .refused }
            throw .indeterminate(text)
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
