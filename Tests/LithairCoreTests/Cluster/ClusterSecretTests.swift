import Testing

@testable import LithairCore

/// The cluster secret travels in every Raft request's `Authorization` line.
@Suite("Cluster secret")
struct ClusterSecretTests {
    @Test(
        "a secret that cannot travel in a header line is refused at build",
        arguments: ["", "two words", "a\r\nX-Injected: 1", "s\u{E9}cret"])
    func unusableSecretIsRefused(secret: String) async throws {
        let directory = TemporaryDirectory()
        await #expect(throws: ConfigurationError.self) {
            try await makeServer(directory: directory.path) {
                $0.withRaftCluster(nodeID: 0, peers: ["127.0.0.1:1", "127.0.0.1:2"], isLeader: true)
                    .cluster { $0.clusterSecret = secret }
            }
        }
    }
}
