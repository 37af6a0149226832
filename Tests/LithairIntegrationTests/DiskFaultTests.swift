import Foundation
import Testing

/// A disk that fills up under a running node: writes must fail cleanly (507 JSON, nothing half
/// applied), reads and `/health` must keep working, writes must work again once space is
/// freed, and every acknowledged write must survive a kill -9 and restart.
@Suite("disk faults")
struct DiskFaultTests {
    @Test(
        "disk full: 507, nothing half-applied, recovers when space returns, acknowledged writes survive",
        .enabled(if: geteuid() == 0, "needs root to mount a small tmpfs"))
    func diskFull() async throws {
        let mountPoint = temporaryDirectory()
        try TinyDisk.mount(at: mountPoint, size: "2m")
        defer {
            TinyDisk.unmount(mountPoint)
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        // Space to give back later, on the same file system.
        let filler = mountPoint + "/filler"
        #expect(FileManager.default.createFile(atPath: filler, contents: Data(count: 384 << 10)))
        let dataDirectory = mountPoint + "/data"

        var node: LithairProcess? = try LithairProcess(dataDirectory: dataDirectory)
        try await node!.waitUntilReady()
        let base = node!.baseURL
        let payload = String(repeating: "x", count: 4000)
        var acknowledged: [String] = []

        // Fill the disk.
        var failure: HTTP.Reply?
        for n in 0..<2000 {
            let reply = try await HTTP.request(
                .POST, base + "/api/products", json: #"{"id":"d\#(n)","name":"\#(payload)","price":1}"#)
            if reply.status == .created {
                acknowledged.append("d\(n)")
            } else {
                failure = reply
                break
            }
        }
        let full = try #require(failure, "the disk never filled up")
        #expect([507, 503].contains(Int(full.status.code)), "\(full.status) \(full.text)")
        #expect(full.object["error"] is String, "not a JSON error: \(full.text)")
        #expect(acknowledged.count > 10)

        // More failing writes change nothing; reads and /health still work.
        for n in 0..<5 {
            let reply = try await HTTP.request(
                .POST, base + "/api/products", json: #"{"id":"late\#(n)","name":"\#(payload)","price":1}"#)
            #expect([507, 503].contains(Int(reply.status.code)), "\(reply.status) \(reply.text)")
        }
        let count = try await HTTP.request(.GET, base + "/api/products/count")
        #expect(count.object["count"] as? Int == acknowledged.count, "\(count.text)")
        #expect(try await HTTP.request(.GET, base + "/api/products/late0").status == .notFound)
        #expect(try await HTTP.request(.GET, base + "/api/products/\(acknowledged.last!)").status == .ok)
        #expect(try await HTTP.request(.GET, base + "/health").status == .ok)

        // Give space back: writes succeed again.
        try FileManager.default.removeItem(atPath: filler)
        var recovered = false
        for n in 0..<20 where !recovered {
            let reply = try await HTTP.request(
                .POST, base + "/api/products", json: #"{"id":"after\#(n)","name":"small","price":1}"#)
            if reply.status == .created {
                acknowledged.append("after\(n)")
                recovered = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(recovered, "writes still fail after space was freed")

        // Every acknowledged write survives a crash.
        node!.signal(SIGKILL)
        _ = try await node!.waitForExit()
        node = try LithairProcess(dataDirectory: dataDirectory, port: node!.port)
        try await node!.waitUntilReady()
        let restarted = try await HTTP.request(.GET, node!.baseURL + "/api/products/count")
        #expect(restarted.object["count"] as? Int == acknowledged.count, "\(restarted.text)")
        for id in acknowledged {
            let reply = try await HTTP.request(.GET, node!.baseURL + "/api/products/\(id)")
            #expect(reply.status == .ok, "acknowledged \(id) lost: \(reply.status)")
        }
        node!.signal(SIGTERM)
        _ = try await node!.waitForExit()
        node = nil
    }
}

/// A small tmpfs, so a node's disk fills up after a few hundred writes.
enum TinyDisk {
    static func mount(at path: String, size: String) throws {
        let status = run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard status == 0 else { throw ProcessFailure(message: "mount -t tmpfs failed with status \(status)") }
    }

    static func unmount(_ path: String) {
        if run(["/bin/umount", path]) != 0 { _ = run(["/bin/umount", "-l", path]) }
    }

    @discardableResult
    private static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
