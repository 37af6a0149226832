import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A real `lithair` process on loopback, started from the binary `swift build` put beside
/// the test bundle.
final class LithairProcess: @unchecked Sendable {
    let port: Int
    let dataDirectory: String
    let process = Process()
    private let errorPipe = Pipe()
    private let outputPipe = Pipe()

    static var binaryPath: String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("lithair").path
    }

    init(dataDirectory: String, port: Int? = nil, arguments: [String] = [], environment: [String: String] = [:]) throws
    {
        self.port = try port ?? FreePort.pick()
        self.dataDirectory = dataDirectory
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments =
            ["serve", "--port", String(self.port), "--data-dir", dataDirectory, "--log-level", "warning"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Waits until `/ready` answers 200 (over HTTPS with `client`, which must trust the
    /// server); throws if the process exits first.
    func waitUntilReady(timeout: Duration = .seconds(60), client: HTTPClient? = nil) async throws {
        let url = (client == nil ? baseURL : "https://127.0.0.1:\(port)") + "/ready"
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw ProcessFailure(message: "lithair exited with \(process.terminationStatus): \(standardError())")
            }
            if let response = try? await HTTP.request(.GET, url, client: client), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessFailure(message: "lithair did not become ready within \(timeout)")
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                signal(SIGKILL)
                throw ProcessFailure(message: "lithair did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Everything the process wrote to stderr; call after it exited.
    func standardError() -> String {
        String(decoding: errorPipe.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

enum FreePort {
    /// Asks the kernel for a free loopback port.
    static func pick() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ProcessFailure(message: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { throw ProcessFailure(message: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A minimal HTTP helper over the shared AsyncHTTPClient.
enum HTTP {
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// A client that returns redirects instead of following them, to observe a 307 itself.
    static let nonFollowingClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    static func request(
        _ method: HTTPMethod, _ url: String, json: String? = nil, body: String? = nil, headers: [(String, String)] = [],
        timeout: Duration = .seconds(10), followRedirects: Bool = true, client: HTTPClient? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        } else if let body {
            request.body = .bytes(ByteBuffer(string: body))
        }
        let client = client ?? (followRedirects ? HTTPClient.shared : nonFollowingClient)
        let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanosecondsValue))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: response.status, headers: response.headers, body: Array(body.readableBytesView))
    }
}

extension Duration {
    var nanosecondsValue: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "lithair-it-" + UUID().uuidString.lowercased()
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
