import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import LithairCore

struct TestProduct: LithairModel, Equatable {
    var id: String
    var name: String
    var price: Double
    var tags: [String]?
}

/// A fresh, empty data directory that removes itself.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "lithair-test-" + UUID().uuidString.lowercased()
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func quietLogger() -> Logger {
    var logger = Logger(label: "lithair-test")
    logger.logLevel = .critical
    return logger
}

func makeServer(
    directory: String, configure: (LithairServerBuilder) -> LithairServerBuilder = { $0 }
) async throws -> LithairServer {
    try await configure(
        LithairServerBuilder().port(0).dataDirectory(directory).withModel(TestProduct.self, at: "/api/products")
            .logger(quietLogger())
    ).build()
}

/// Runs `body` against `server`'s routes in process, after startup replay has finished.
func withClient(
    _ server: LithairServer, _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    try await server.makeApplication().test(.router) { client in
        for _ in 0..<500 {
            if try await client.execute(uri: "/ready", method: .get).status == .ok { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await body(client)
    }
}

extension TestClientProtocol {
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = headers
        if json != nil && fields[.contentType] == nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var json: JSONValue {
        get throws { try JSONParser.parse(Array(body.readableBytesView)) }
    }

    var text: String { String(buffer: body) }
}
