import AsyncHTTPClient
import Foundation
import Testing

/// `--tls-cert`, `--tls-key`, `--tls-ca`, `--tls-client-auth`: HTTPS for clients and between
/// nodes, with certificates from a CA made for the test.
@Suite("TLS between nodes and for clients", .serialized)
struct TLSClusterTests {
    @Test("a cluster over TLS replicates and forwards writes, and refuses plain HTTP and untrusted servers")
    func clusterOverTLS() async throws {
        let certificates = TestCertificates()
        let ca = try certificates.authority("cluster-ca")
        let node = try certificates.node("node", signedBy: ca)
        let client = try TestCertificates.client(trusting: ca)
        let stranger = try TestCertificates.client(trusting: try certificates.authority("other-ca"))
        let cluster = try ClusterHarness(
            extraArguments: TestCertificates.serveArguments(node, trusting: ca), scheme: "https", client: client)
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        #expect(try await cluster.create("on-leader", on: leader).status == .created)
        #expect(try await cluster.create("via-follower", on: follower).status == .created)
        let converged = try await cluster.waitForConvergence { $0.contains("on-leader") && $0.contains("via-follower") }
        #expect(converged.contains(#""total":2"#))
        #expect(await cluster.waitForFollowerHealth("healthy", follower: follower, leader: leader))

        let status = try await LithairRun.run(
            ["status", "--node", String(cluster.ports[follower]), "--tls-ca", ca.certificate], limit: .seconds(30))
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.split(separator: "\n").filter { $0.contains("healthy") }.count == 2, "\(status.output)")
        let plainStatus = try await LithairRun.run(
            ["status", "--node", String(cluster.ports[follower])], limit: .seconds(30))
        #expect(plainStatus.status != 0)

        await #expect(throws: (any Error).self, "plain HTTP to a TLS port") {
            try await HTTP.request(.GET, "http://127.0.0.1:\(cluster.ports[leader])/health", timeout: .seconds(2))
        }
        await #expect(throws: (any Error).self, "a client that does not trust the cluster's CA") {
            try await HTTP.request(.GET, cluster.url(leader) + "/health", timeout: .seconds(2), client: stranger)
        }
        await cluster.stopAll()
        try await client.shutdown()
        try await stranger.shutdown()
    }

    @Test(
        "a node whose certificate another CA signed gets no entries; with the cluster's own it catches up by snapshot"
    )
    func foreignCertificateCannotJoin() async throws {
        let certificates = TestCertificates()
        let ca = try certificates.authority("cluster-ca")
        let node = try certificates.node("node", signedBy: ca)
        let rogueCA = try certificates.authority("rogue-ca")
        let rogue = try certificates.node("rogue", signedBy: rogueCA)
        let client = try TestCertificates.client(trusting: ca)
        let rogueClient = try TestCertificates.client(trusting: rogueCA)
        // Snapshots every 5 events: the writes below are compacted away before the node is
        // back, so it catches up through a snapshot streamed over TLS.
        let cluster = try ClusterHarness(
            extraArguments: TestCertificates.serveArguments(node, trusting: ca) + ["--snapshot-every", "5"],
            scheme: "https", client: client)
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        try await cluster.kill(follower)
        // The same node, now serving a certificate the cluster's CA did not sign (its flags come last).
        cluster.nodeArguments[follower] = TestCertificates.serveArguments(rogue, trusting: ca)
        try cluster.start(follower)
        for index in 0..<20 { #expect(try await cluster.create("while-rogue-\(index)", on: leader).status == .created) }
        try await Task.sleep(for: .seconds(1))
        let rogueURL = "https://127.0.0.1:\(cluster.ports[follower])/api/products/count"
        #expect(try await HTTP.request(.GET, rogueURL, client: rogueClient).text == #"{"count":0}"#)
        let status = try await HTTP.request(.GET, cluster.url(leader) + "/_raft/sync-status", client: client).object
        let followers = try #require(status["followers"] as? [[String: Any]])
        let entry = try #require(followers.first { $0["address"] as? String == "127.0.0.1:\(cluster.ports[follower])" })
        #expect((entry["consecutive_failures"] as? Int ?? 0) > 0)
        #expect(entry["health"] as? String != "healthy")

        try await cluster.kill(follower)
        cluster.nodeArguments[follower] = nil
        try cluster.start(follower)
        let converged = try await cluster.waitForConvergence { $0.contains("while-rogue-19") }
        #expect(converged.contains(#""total":20"#))
        let resync = try await HTTP.request(.GET, cluster.url(follower) + "/_raft/resync_stats", client: client)
        #expect(((resync.object["resync_stats"] as? [String: Any])?["snapshots_installed"] as? Int ?? 0) >= 1)
        await cluster.stopAll()
        try await client.shutdown()
        try await rogueClient.shutdown()
    }

    @Test("with --tls-client-auth a connection needs a certificate from the CA; a bad file stops startup naming it")
    func clientCertificates() async throws {
        let certificates = TestCertificates()
        let ca = try certificates.authority("cluster-ca")
        let node = try certificates.node("node", signedBy: ca)
        let other = try certificates.node("outsider", signedBy: try certificates.authority("other-ca"))
        let member = try TestCertificates.client(trusting: ca, presenting: node)
        let anonymous = try TestCertificates.client(trusting: ca)
        let outsider = try TestCertificates.client(trusting: ca, presenting: other)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try LithairProcess(
            dataDirectory: directory,
            arguments: TestCertificates.serveArguments(node, trusting: ca) + ["--tls-client-auth", "true"])
        try await server.waitUntilReady(client: member)
        let url = "https://127.0.0.1:\(server.port)/api/products"
        #expect(try await HTTP.request(.POST, url, json: #"{"name":"a","price":1}"#, client: member).status == .created)
        await #expect(throws: (any Error).self, "no client certificate") {
            try await HTTP.request(.GET, url, timeout: .seconds(2), client: anonymous)
        }
        await #expect(throws: (any Error).self, "a certificate from another CA") {
            try await HTTP.request(.GET, url, timeout: .seconds(2), client: outsider)
        }
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)

        let missing = certificates.directory + "/missing.pem"
        let broken = try LithairProcess(
            dataDirectory: directory, arguments: ["--tls-cert", missing, "--tls-key", node.key])
        #expect(try await broken.waitForExit() != 0)
        #expect(broken.standardError().contains(missing))
        for client in [member, anonymous, outsider] { try await client.shutdown() }
    }
}
