import Foundation
import Testing

@Suite("lithair status", .serialized)
struct StatusCommandTests {
    @Test("status --node (any member) prints every member's role, term and indexes, and each follower's health")
    func statusTable() async throws {
        let cluster = try ClusterHarness()
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        try await cluster.create("seen", on: leader)
        _ = try await cluster.waitForConvergence { $0.contains("seen") }
        // A bare port, on a follower: the leader is found through it.
        let run = try await LithairRun.run(["status", "--node", String(cluster.ports[follower])], limit: .seconds(30))
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NODE  ADDRESS") == true, "\(run.output)")
        #expect(lines.filter { $0.contains("Leader") }.count == 1, "\(run.output)")
        #expect(lines.filter { $0.contains("Follower") && $0.contains("healthy") }.count == 2, "\(run.output)")

        let json = try await LithairRun.run(
            ["status", "--node", "127.0.0.1:\(cluster.ports[leader])", "--json"], limit: .seconds(30))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect((report["members"] as? [Any])?.count == 3)
        #expect(((report["leader"] as? [String: Any])?["health"] as? [String: Any])?["state"] as? String == "Leader")

        let nobody = try await LithairRun.run(["status", "--node", String(try FreePort.pick())], limit: .seconds(30))
        #expect(nobody.status != 0)
        #expect(nobody.output.contains("cannot read the status of 127.0.0.1:"), "\(nobody.output)")
    }
}
