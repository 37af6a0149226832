import Hummingbird
import HummingbirdTesting
import Testing

@testable import LithairCore

@Suite("Ops routes")
struct OpsRoutesTests {
    @Test("/health, /info and /metrics after writes")
    func opsAfterWrites() async throws {
        let directory = TemporaryDirectory()
        try await withClient(try await makeServer(directory: directory.path)) { client in
            for index in 0..<5 {
                try await client.send(.post, "/api/products", json: #"{"id":"p\#(index)","name":"x","price":1}"#)
            }
            #expect(try await client.send(.get, "/health").json == .object(["status": .string("ok")]))
            #expect(try await client.send(.get, "/ready").status == .ok)
            let info = try await client.send(.get, "/info").json
            #expect(info["version"] == .string(LithairServer.version))
            #expect(info["log_index"] == .int(5))
            guard case .array(let models)? = info["models"] else { Issue.record("no models"); return }
            #expect(models.first?["path"] == .string("/api/products"))
            #expect(models.first?["count"] == .int(5))

            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains("lithair_events_appended_total 5"))
            #expect(text.contains("lithair_wal_fsync_duration_seconds_count"))
            #expect(text.contains("lithair_wal_batch_size_count"))
            #expect(text.contains(#"lithair_http_requests_total{route="/api/products",method="POST",status="201"} 5"#))
            #expect(text.contains("lithair_http_request_duration_seconds_bucket"))
        }
    }

    @Test("before replay finishes, /ready and data routes answer 503")
    func notReadyBeforeReplay() async throws {
        let directory = TemporaryDirectory()
        let server = try await makeServer(directory: directory.path)
        // The router alone, without the node service: replay never runs.
        try await Application(router: server.makeRouter()).test(.router) { client in
            let ready = try await client.send(.get, "/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.headers[.retryAfter] != nil)
            #expect(try await client.send(.get, "/health").status == .ok)
            let write = try await client.send(.post, "/api/products", json: #"{"name":"x","price":1}"#)
            #expect(write.status == .serviceUnavailable)
            #expect(try write.json["error"] != nil)
            #expect(try await client.send(.get, "/api/products").status == .serviceUnavailable)
        }
    }

    @Test("a second server on the same data directory is refused")
    func dataDirectoryIsLocked() async throws {
        let directory = TemporaryDirectory()
        let first = try await makeServer(directory: directory.path)
        await #expect(throws: (any Error).self) { try await makeServer(directory: directory.path) }
        _ = first
    }
}
