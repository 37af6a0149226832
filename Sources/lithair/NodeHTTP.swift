import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Blocking requests to a node, over HTTP or HTTPS: for `lithair status`, `lithair members`
/// and `lithair cluster`, which run on a plain thread.
struct NodeHTTP: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Plain HTTP, on the shared client.
    static let plain = NodeHTTP(client: .shared, scheme: "http", owned: false)

    private let client: HTTPClient
    private let scheme: String
    private let owned: Bool

    private init(client: HTTPClient, scheme: String, owned: Bool) {
        self.client = client
        self.scheme = scheme
        self.owned = owned
    }

    /// HTTPS trusting `caFile` (and presenting `certificateFile` and `keyFile`) when a CA is
    /// given, else plain HTTP.
    ///
    /// - Throws: ``Failure`` naming a file that cannot be read as PEM.
    init(caFile: String?, certificateFile: String?, keyFile: String?) throws {
        guard let caFile else {
            guard certificateFile == nil, keyFile == nil else {
                throw Failure(description: "a client certificate (--tls-cert, --tls-key) needs --tls-ca")
            }
            self = .plain
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try Self.read(caFile) { try NIOSSLCertificate.fromPEMFile($0) })
        if certificateFile != nil || keyFile != nil {
            guard let certificateFile, let keyFile else {
                throw Failure(description: "a client certificate needs both --tls-cert and --tls-key")
            }
            tls.certificateChain = try Self.read(certificateFile) { try NIOSSLCertificate.fromPEMFile($0) }
                .map { .certificate($0) }
            tls.privateKey = .privateKey(try Self.read(keyFile) { try NIOSSLPrivateKey(file: $0, format: .pem) })
        }
        self.init(
            client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls)),
            scheme: "https", owned: true)
    }

    /// Closes a client made for HTTPS (the shared one stays).
    func shutdown() {
        if owned { try? client.syncShutdown() }
    }

    /// The body of a 200 answer to `GET path` on `address` (`host:port`).
    func getJSON(_ address: String, _ path: String, timeoutSeconds: Int = 3) throws -> [UInt8] {
        let (status, body) = try send(.GET, address, path, timeoutSeconds: timeoutSeconds)
        guard status == 200 else {
            throw Failure(
                description: "GET \(path) answered \(status): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return body
    }

    /// Sends one request to `address` (`host:port`); the answer's status and body, whatever the status.
    func send(
        _ method: HTTPMethod, _ address: String, _ path: String, body: [UInt8]? = nil, bearer: String? = nil,
        timeoutSeconds: Int = 3
    ) throws -> (status: UInt, body: [UInt8]) {
        let url = "\(scheme)://\(address)\(path)"
        let response: HTTPClient.Response
        do {
            var headers: HTTPHeaders = ["accept": "application/json"]
            if body != nil { headers.add(name: "content-type", value: "application/json") }
            if let bearer { headers.add(name: "authorization", value: "Bearer \(bearer)") }
            let request = try HTTPClient.Request(
                url: url, method: method, headers: headers, body: body.map { .bytes($0) })
            response = try client.execute(request: request, deadline: .now() + .seconds(Int64(timeoutSeconds))).wait()
        } catch {
            throw Failure(description: "\(method) \(url): \(error)")
        }
        return (response.status.code, response.body.map { Array($0.readableBytesView) } ?? [])
    }

    private static func read<T>(_ file: String, _ load: (String) throws -> T) throws -> T {
        do {
            return try load(file)
        } catch {
            throw Failure(description: "cannot read \(file) as PEM: \(error)")
        }
    }
}
