import Foundation
import Testing

/// The node-to-node message routes are answered ahead of the router, on the connection's
/// event loop: they must still behave as HTTP/1.1 endpoints on a shared connection.
@Suite("Raft message routes on a shared HTTP/1.1 connection", .serialized)
struct RaftMessagePathTests {
    @Test("requests pipelined on one connection, messages and others mixed, are answered in order")
    func pipelinedRequestsAnswerInOrder() async throws {
        let cluster = try ClusterHarness()
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        let term = try #require(await cluster.health(follower)?["term"] as? Int)
        let (from, to) = (cluster.nodeID(leader) + 1, cluster.nodeID(follower) + 1)
        let secret = "Authorization: Bearer \(ClusterHarness.secret)"
        let staleHeartbeat =
            #"{"type":"heartbeat","from":\#(from),"to":\#(to),"term":0,"leader_id":\#(from),"leader_commit":0}"#
        let connection = try RawHTTPConnection(port: cluster.ports[follower])
        try connection.send(
            RawHTTPConnection.request("POST", "/_raft/append", body: staleHeartbeat, headers: [secret])
                + RawHTTPConnection.request("GET", "/_raft/health")
                + RawHTTPConnection.request("POST", "/_raft/vote", body: #"{"type":"vote"}"#, headers: [secret])
                + RawHTTPConnection.request("GET", "/api/products/count")
                + RawHTTPConnection.request("POST", "/_raft/append", body: staleHeartbeat)
                + RawHTTPConnection.request("GET", "/no/such/route")
                + RawHTTPConnection.request("POST", "/_raft/append", body: "{not json", headers: [secret]))
        let responses = try (0..<7).map { _ in try connection.readResponse() }
        #expect(responses.map(\.status) == [200, 200, 400, 200, 401, 404, 400])
        #expect(
            responses[0].body
                == #"{"ok":true,"replies":[{"from":\#(to),"term":\#(term),"to":\#(from),"type":"heartbeat_response"}]}"#
        )
        #expect(responses[1].body.contains(#""node_id":\#(cluster.nodeID(follower))"#))
        #expect(responses[2].body.contains(#""error":"bad raft message: field 'from': missing""#))
        #expect(responses[3].body == #"{"count":0}"#)
        #expect(responses[4].body.contains("cluster secret"))
        #expect(responses[6].body.contains(#""status":400"#))
        for response in responses { #expect(response.headers["content-type"]?.hasPrefix("application/json") == true) }

        // `Connection: close` is honoured: the answer, then the end of the connection.
        try connection.send(
            RawHTTPConnection.request(
                "POST", "/_raft/append", body: staleHeartbeat, headers: [secret, "Connection: close"]))
        #expect(try connection.readResponse().status == 200)
        #expect(try connection.isClosedByServer())
        #expect(await cluster.health(follower)?["term"] as? Int == term)
    }

    @Test("a message body over the limit gets 413 and the connection keeps serving")
    func oversizedMessage() async throws {
        let cluster = try ClusterHarness()
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        let connection = try RawHTTPConnection(port: cluster.ports[follower])
        let oversized = String(repeating: "x", count: (64 << 20) + 1)
        try connection.send(
            RawHTTPConnection.request(
                "POST", "/_raft/append", body: oversized, headers: ["Authorization: Bearer \(ClusterHarness.secret)"])
                + RawHTTPConnection.request("GET", "/_raft/health"))
        let rejected = try connection.readResponse()
        #expect(rejected.status == 413)
        #expect(rejected.body.contains("larger than the limit"))
        #expect(try connection.readResponse().status == 200)
        #expect(try await cluster.create("after", on: leader).status == .created)
    }
}
