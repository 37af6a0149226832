import Foundation
import Testing

/// Dynamic membership between real `lithair` processes: a fourth node joins a running cluster,
/// the leader removes itself, and a restarted member keeps the configuration from its log.
@Suite("Cluster membership (processes)", .serialized)
struct MembershipProcessTests {
    static let auth = [("authorization", "Bearer \(ClusterHarness.secret)")]

    @Test(
        "a node joins (--join, POST /_raft/members) through a snapshot, the leader removes itself, a restart keeps the members"
    )
    func joinRemoveAndRestart() async throws {
        // Snapshots every 16 entries: the newcomer's entries are compacted away, so it catches
        // up through a snapshot, whose file carries the configuration.
        let cluster = try ClusterHarness(size: 4, joining: 1, extraArguments: ["--snapshot-every", "16"])
        let leader = try await cluster.waitForLeader(among: [0, 1, 2])
        let follower = (leader + 1) % 3
        for item in 0..<40 { try await cluster.create("before-\(item)", on: leader) }

        let newcomer = #"{"node_id":3,"address":"127.0.0.1:\#(cluster.ports[3])"}"#
        let members = cluster.url(leader) + "/_raft/members"

        // Added before it runs, the newcomer is caught up as a learner that never answers: it
        // counts in no majority, so with a follower down the two others still commit (added
        // straight away, it would have made the quorum 3 of 4), and the add gives up.
        let absent = Task { try await HTTP.request(.POST, members, json: newcomer, headers: Self.auth) }
        try await Task.sleep(for: .milliseconds(500))
        let twice = try await HTTP.request(.POST, members, json: newcomer, headers: Self.auth)
        #expect(twice.status == .conflict, "\(twice.text)")
        #expect(twice.text.contains("being caught up for an earlier add"), "\(twice.text)")
        let catchingUp = try await HTTP.request(.GET, members)
        let learners = catchingUp.object["learners"] as? [[String: Any]]
        #expect(learners?.count == 1 && learners?.first?["node_id"] as? Int == 3, "\(catchingUp.text)")
        #expect(learners?.first?["answered"] as? Bool == false, "\(catchingUp.text)")
        try await cluster.kill(follower)
        try await cluster.create("while-absent", on: leader)
        let gaveUp = try await absent.value
        #expect(gaveUp.status == .serviceUnavailable, "\(gaveUp.text)")
        #expect(gaveUp.text.contains("did not answer"), "\(gaveUp.text)")
        let unchanged = try await HTTP.request(.GET, members)
        #expect((unchanged.object["members"] as? [Any])?.count == 3, "\(unchanged.text)")
        // Removing a node while it is being caught up ends the catch-up.
        let cancelled = Task { try await HTTP.request(.POST, members, json: newcomer, headers: Self.auth) }
        try await Task.sleep(for: .milliseconds(500))
        let removedLearner = try await HTTP.request(.DELETE, members + "/3", headers: Self.auth)
        #expect(removedLearner.status == .ok, "\(removedLearner.text)")
        #expect((removedLearner.object["members"] as? [Any])?.count == 3, "\(removedLearner.text)")
        let cancelledAdd = try await cancelled.value
        #expect(cancelledAdd.status == .conflict, "\(cancelledAdd.text)")
        #expect(cancelledAdd.text.contains("removed while it was being caught up"), "\(cancelledAdd.text)")
        #expect((try await HTTP.request(.GET, members).object["learners"] as? [Any])?.isEmpty == true)
        try cluster.start(follower)
        try await cluster.nodes[follower]?.waitUntilReady()

        try cluster.start(3)
        try await cluster.nodes[3]?.waitUntilReady()
        let unauthenticated = try await HTTP.request(.POST, members, json: newcomer)
        #expect(unauthenticated.status == .unauthorized)
        let onFollower = try await HTTP.request(
            .POST, cluster.url(follower) + "/_raft/members", json: newcomer, headers: Self.auth)
        #expect(onFollower.status == .badRequest)
        #expect((onFollower.object["leader"] as? String)?.contains(String(cluster.ports[leader])) == true)
        for bad in [
            #"{"node_id":-1,"address":"127.0.0.1:9"}"#, #"{"node_id":3}"#, #"{"node_id":3,"address":"x"}"#, "[]",
        ] {
            let refused = try await HTTP.request(.POST, members, json: bad, headers: Self.auth)
            #expect(refused.status == .badRequest, "\(bad): \(refused.text)")
        }
        let before = try await HTTP.request(.GET, cluster.url(3) + "/_raft/members")
        #expect(before.object["this_node_votes"] as? Bool == false, "\(before.text)")

        let added = try await HTTP.request(.POST, members, json: newcomer, headers: Self.auth)
        #expect(added.status == .ok, "\(added.text)")
        #expect((added.object["members"] as? [Any])?.count == 4, "\(added.text)")
        #expect(added.object["configuration_committed"] as? Bool == true, "\(added.text)")
        let again = try await HTTP.request(.POST, members, json: newcomer, headers: Self.auth)
        #expect(again.status == .conflict, "\(again.text)")
        #expect(try await HTTP.request(.DELETE, members + "/99", headers: Self.auth).status == .notFound)
        #expect(try await HTTP.request(.DELETE, members + "/x", headers: Self.auth).status == .badRequest)
        #expect(try await HTTP.request(.DELETE, members + "/1").status == .unauthorized)
        let huge = #"{"node_id":5,"address":"\#(String(repeating: "a", count: 5000))"}"#
        #expect(try await HTTP.request(.POST, members, json: huge, headers: Self.auth).status == .payloadTooLarge)

        // The newcomer catches up, votes, and counts: the leader's health lists it.
        _ = try await cluster.waitForConvergence { $0.contains("before-39") }
        let joined = try await HTTP.request(.GET, cluster.url(3) + "/_raft/members")
        #expect(joined.object["this_node_votes"] as? Bool == true, "\(joined.text)")
        #expect(await cluster.waitForFollowerHealth("healthy", follower: 3, leader: leader))
        let resync = try await HTTP.request(.GET, cluster.url(3) + "/_raft/resync_stats")
        let installed = (resync.object["resync_stats"] as? [String: Any])?["snapshots_installed"] as? Int
        #expect((installed ?? 0) >= 1, "\(resync.text)")

        // The leader removes itself through `lithair members`; a follower hands the call over.
        let removal = try await LithairRun.run(
            [
                "members", "--node", String(cluster.ports[follower]), "--remove", String(cluster.nodeID(leader)),
                "--cluster-secret", ClusterHarness.secret,
            ], limit: .seconds(30))
        #expect(removal.status == 0, "\(removal.output)")
        #expect(removal.output.contains("\"removed\":\(cluster.nodeID(leader))"), "\(removal.output)")
        let removedAnswer = try await HTTP.request(.GET, cluster.url(leader) + "/_raft/members")
        #expect(removedAnswer.object["this_node_votes"] as? Bool == false, "\(removedAnswer.text)")
        try await cluster.kill(leader)
        let remaining = [0, 1, 2, 3].filter { $0 != leader }
        let successor = try await cluster.waitForLeader(among: remaining, timeout: .seconds(10))
        for item in 0..<20 { try await cluster.create("after-\(item)", on: successor) }
        _ = try await cluster.waitForConvergence { $0.contains("after-19") && $0.contains("before-0") }

        // Restarted with its original flags (--join included), the newcomer keeps the
        // configuration its log holds: three voters, itself among them.
        try await cluster.kill(3)
        try cluster.start(3)
        try await cluster.nodes[3]?.waitUntilReady()
        let listed = try await LithairRun.run(["members", "--node", String(cluster.ports[3])], limit: .seconds(30))
        #expect(listed.status == 0, "\(listed.output)")
        let after = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])
        let ids = ((after["members"] as? [[String: Any]]) ?? []).compactMap { $0["node_id"] as? Int }.sorted()
        #expect(ids == remaining.map { cluster.nodeID($0) }.sorted(), "\(listed.output)")
        #expect(after["this_node_votes"] as? Bool == true, "\(listed.output)")
        try await cluster.create("after-restart", on: successor)
        _ = try await cluster.waitForConvergence { $0.contains("after-restart") }
        await cluster.stopAll()
    }
}
