import LithairConsensus
import Testing

@testable import LithairCore

@Suite("Cluster membership")
struct ClusterMembershipTests {
    @Test("ids follow the seed's table: positions among the sorted addresses")
    func seedTable() throws {
        for (nodeID, port, peers) in [
            (0, 8080, ["8081", "8082"]), (1, 8081, ["8080", "8082"]), (2, 8082, ["8080", "8081"]),
        ] {
            let membership = try ClusterMembership(
                nodeID: UInt64(nodeID), selfAddress: "127.0.0.1:\(port)", peers: peers)
            #expect(membership.selfMember.nodeID == UInt64(nodeID))
            #expect(membership.selfMember.raftID == UInt64(nodeID) + 1, "raft ids skip the core's reserved 0")
            #expect(membership.all.map(\.address) == ["127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8082"])
            #expect(membership.all.map(\.nodeID) == [0, 1, 2])
        }
    }

    @Test("ports sort numerically, hosts first")
    func numericPortOrder() throws {
        let membership = try ClusterMembership(
            nodeID: 0, selfAddress: "127.0.0.1:9000", peers: ["10000", "127.0.0.1:9500"])
        #expect(membership.all.map(\.address) == ["127.0.0.1:9000", "127.0.0.1:9500", "127.0.0.1:10000"])
    }

    @Test("explicit ids with id@host:port")
    func explicitIDs() throws {
        let membership = try ClusterMembership(
            nodeID: 7, selfAddress: "10.0.0.1:8080", peers: ["3@10.0.0.2:8080", "5@10.0.0.3:8080"])
        #expect(membership.member(address: "10.0.0.2:8080")?.nodeID == 3)
        #expect(membership.member(raftID: 6)?.address == "10.0.0.3:8080")
    }

    @Test("a joining node is not a voter; adopting the core's configurations keeps former members' addresses")
    func joiningAndAdopting() throws {
        let joining = try ClusterMembership(
            nodeID: 3, selfAddress: "127.0.0.1:8083", peers: ["8080", "8081", "8082"], isJoining: true)
        #expect(!joining.selfIsVoter)
        #expect(joining.voters.voters == [1, 2, 3])
        #expect(joining.voters.addresses[1] == "127.0.0.1:8080")

        let added = ClusterMembership(adopting: joining.voters.adding(4, address: "127.0.0.1:8083"), after: joining)
        #expect(added.selfIsVoter)
        #expect(added.peers.map(\.nodeID) == [0, 1, 2])
        let removed = ClusterMembership(adopting: added.voters.removing(1), after: added)
        #expect(removed.peers.map(\.nodeID) == [1, 2])
        #expect(removed.member(raftID: 1)?.address == "127.0.0.1:8080", "a removed leader can still be reached")
        #expect(removed.voters.voters == [2, 3, 4])
    }

    @Test("a wrong node id, a self-listed peer, duplicates and bad addresses are refused with a reason")
    func refusals() {
        let cases: [(UInt64, String, [String], String)] = [
            (1, "127.0.0.1:8080", ["8081", "8082"], "does not match"),
            (0, "127.0.0.1:8080", ["8080", "8081"], "own address"),
            (0, "127.0.0.1:8080", ["8081", "127.0.0.1:8081"], "twice"),
            (0, "127.0.0.1:8080", ["nonsense"], "host:port"),
            (0, "127.0.0.1:8080", ["x@127.0.0.1:8081"], "node id"),
            (0, "127.0.0.1:8080", ["0@127.0.0.1:8081"], "share a node id"),
        ]
        for (nodeID, address, peers, reason) in cases {
            #expect {
                try ClusterMembership(nodeID: nodeID, selfAddress: address, peers: peers)
            } throws: { error in
                "\(error)".contains(reason)
            }
        }
    }

    @Test("secrets compare without depending on where they differ")
    func constantTimeComparison() {
        #expect(constantTimeEquals("Bearer s3cret", "Bearer s3cret"))
        #expect(!constantTimeEquals("Bearer s3cret", "Bearer s3creT"))
        #expect(!constantTimeEquals("Bearer s3cret", "Bearer s3cre"))
        #expect(!constantTimeEquals("", "Bearer s3cret"))
    }
}
