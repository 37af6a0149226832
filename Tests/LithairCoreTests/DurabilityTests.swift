import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import LithairCore

@Suite("State survives restarts")
struct DurabilityTests {
    /// Creates, updates and deletes through the API; returns the full list body afterwards.
    private func mixedWorkload(_ client: some TestClientProtocol, rounds: Int) async throws -> String {
        for round in 0..<rounds {
            try await client.send(.post, "/api/products", json: #"{"id":"p\#(round)","name":"n\#(round)","price":1}"#)
            if round % 3 == 1 {
                try await client.send(.patch, "/api/products/p\(round - 1)", json: #"{"price":\#(round).5}"#)
            }
            if round % 4 == 3 { try await client.send(.delete, "/api/products/p\(round - 2)") }
            if round % 5 == 4 {
                try await client.send(.put, "/api/products/p\(round)", json: #"{"name":"replaced","price":9}"#)
            }
        }
        return try await client.send(.get, "/api/products?take=1000").text
    }

    @Test("creates, updates and deletes survive a restart")
    func restartKeepsState() async throws {
        let directory = TemporaryDirectory()
        let before = LockedBox("")
        try await withClient(try await makeServer(directory: directory.path)) { client in
            before.value = try await mixedWorkload(client, rounds: 40)
        }
        try await withClient(try await makeServer(directory: directory.path)) { client in
            let list = try await client.send(.get, "/api/products?take=1000")
            #expect(list.text == before.value)
            let deleted = try await client.send(.get, "/api/products/p1")
            #expect(deleted.status == .notFound)
            let history = try await client.send(.get, "/api/products/p1/history")
            #expect(try history.json["events"] != nil)
        }
    }

    @Test("snapshots compact the log and restore the same state")
    func snapshotRestart() async throws {
        let directory = TemporaryDirectory()
        let before = LockedBox("")
        let server = try await makeServer(directory: directory.path) { $0.snapshotEvery(7) }
        try await withClient(server) { client in
            before.value = try await mixedWorkload(client, rounds: 60)
            let metrics = try await client.send(.get, "/metrics").text
            #expect(metrics.contains("lithair_snapshots_total"))
        }
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/snapshots")
        #expect(!snapshots.isEmpty)
        try await withClient(try await makeServer(directory: directory.path) { $0.snapshotEvery(7) }) { client in
            #expect(try await client.send(.get, "/api/products?take=1000").text == before.value)
            let history = try await client.send(.get, "/api/products/p0/history").json
            guard case .array(let events)? = history["events"] else { Issue.record("no history"); return }
            #expect(events.first?["event"] == .string("created"))
        }
    }

    @Test("a corrupt log refuses to start and names the file")
    func corruptLogRefusesToStart() async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            _ = try await mixedWorkload(client, rounds: 20)
        }
        let logDirectory = directory.path + "/log"
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: logDirectory).sorted().first)
        let path = logDirectory + "/" + segment
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // Inside the records, not in the zeros the segment was prepared with.
        let records = try #require(bytes.lastIndex { $0 != 0 }) + 1
        bytes[records / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let server = try await makeServer(directory: directory.path)
        #expect {
            try server.node.start()
        } throws: { error in
            "\(error)".contains(segment)
        }
    }
}

/// A mutable box for values a `@Sendable` test closure fills in.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
