import AsyncHTTPClient
import Foundation
import Testing

@Suite("The lithair binary", .serialized)
struct SingleNodeProcessTests {
    @Test("SIGTERM finishes in-flight writes, flushes and exits 0; a restart has them all")
    func gracefulShutdownKeepsWrites() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try LithairProcess(dataDirectory: directory)
        try await server.waitUntilReady()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for writer in 0..<200 {
                group.addTask {
                    let reply = try await HTTP.request(
                        .POST, server.baseURL + "/api/products", json: #"{"id":"w\#(writer)","name":"n","price":1}"#)
                    #expect(reply.status == .created)
                    return "w\(writer)"
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        let restarted = try LithairProcess(dataDirectory: directory, port: server.port)
        try await restarted.waitUntilReady()
        let count = try await HTTP.request(.GET, restarted.baseURL + "/api/products/count")
        #expect(count.text == #"{"count":\#(ids.count)}"#)
        restarted.signal(SIGINT)
        #expect(try await restarted.waitForExit() == 0)
    }

    @Test("kill -9 under write load loses no acknowledged write")
    func killNineKeepsAcknowledgedWrites() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try LithairProcess(dataDirectory: directory)
        try await server.waitUntilReady()
        let acknowledged = Acknowledged()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for sequence in 0..<1000 {
                        let id = "w\(writer)-\(sequence)"
                        guard
                            let reply = try? await HTTP.request(
                                .POST, server.baseURL + "/api/products", json: #"{"id":"\#(id)","name":"n","price":1}"#,
                                timeout: .seconds(2))
                        else { return }
                        if reply.status == .created { acknowledged.insert(id) }
                    }
                }
            }
            group.addTask {
                while acknowledged.count < 300 { try await Task.sleep(for: .milliseconds(5)) }
                server.signal(SIGKILL)
            }
            try await group.waitForAll()
        }
        _ = try await server.waitForExit()
        let ids = acknowledged.snapshot
        #expect(ids.count >= 300)

        let restarted = try LithairProcess(dataDirectory: directory, port: server.port)
        try await restarted.waitUntilReady()
        let list = try await HTTP.request(.GET, restarted.baseURL + "/api/products?take=1000")
        let count = try await HTTP.request(.GET, restarted.baseURL + "/api/products/count")
        var missing: [String] = []
        for id in ids where !list.text.contains(#""id":"\#(id)""#) {
            if try await HTTP.request(.GET, restarted.baseURL + "/api/products/\(id)").status != .ok {
                missing.append(id)
            }
        }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10)) (count now \(count.text))")
        restarted.signal(SIGTERM)
        _ = try await restarted.waitForExit()
    }

    @Test("a corrupt segment stops startup with a message naming the file")
    func corruptSegmentRefusesToStart() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try LithairProcess(dataDirectory: directory)
        try await server.waitUntilReady()
        for index in 0..<50 {
            _ = try await HTTP.request(
                .POST, server.baseURL + "/api/products", json: #"{"id":"p\#(index)","name":"n","price":1}"#)
        }
        server.signal(SIGTERM)
        _ = try await server.waitForExit()
        let segment = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory + "/log").sorted().first)
        let path = directory + "/log/" + segment
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // Inside the records, not in the zeros the segment was prepared with.
        let records = try #require(bytes.lastIndex { $0 != 0 }) + 1
        bytes[records / 3] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let broken = try LithairProcess(dataDirectory: directory)
        let status = try await broken.waitForExit()
        #expect(status != 0)
        #expect(broken.standardError().contains(segment))
    }

    @Test("--help explains every flag and its environment variable")
    func helpText() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LithairProcess.binaryPath)
        process.arguments = ["serve", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let help = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for word in ["--port", "LITHAIR_PORT", "--data-dir", "LITHAIR_DATA_DIR", "--batch-size", "--flush-interval-ms"]
        {
            #expect(help.contains(word), "\(word) missing from help")
        }
    }
}

/// Ids the server acknowledged, filled from concurrent writers.
final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<String> = []
    func insert(_ id: String) { lock.withLock { _ = ids.insert(id) } }
    var count: Int { lock.withLock { ids.count } }
    var snapshot: Set<String> { lock.withLock { ids } }
}
