import LithairConsensus
import Logging
import Testing

@testable import LithairCore

@Suite("Peer reports")
struct PeerReportsTests {
    private func member(_ nodeID: UInt64) -> ClusterMembership.Member {
        ClusterMembership.Member(nodeID: nodeID, address: "127.0.0.1:\(9000 + nodeID)")
    }

    @Test("a request that ends after its peer left the voters does not bring the peer back")
    func removedPeerStaysGone() {
        let reports = PeerReports(selfRaftID: 1, logger: Logger(label: "test"), onEvent: { _ in })
        reports.track([2, 3])
        reports.record(member(1), failure: "connection refused")
        reports.recordSuccess(member(1), latency: .milliseconds(3))
        #expect(reports.stats.withLock { $0[2]?.lastLatencyMillis } == 3)
        #expect(reports.stats.withLock { $0[2]?.consecutiveFailures } == 0)

        reports.track([3])
        reports.recordSuccess(member(1), latency: .milliseconds(3))
        reports.record(member(1), failure: "connection reset")
        #expect(reports.stats.withLock { Set($0.keys) } == [3], "node 1 (raft id 2) left; only raft id 3 is reported")
    }

    @Test("failures of a tracked peer count up and a success resets them")
    func failureStreak() {
        let reports = PeerReports(selfRaftID: 1, logger: Logger(label: "test"), onEvent: { _ in })
        reports.track([2])
        reports.record(member(1), failure: "timeout")
        reports.record(member(1), failure: "connection refused")
        #expect(
            reports.stats.withLock { $0[2] }
                == PeerReports.PeerStats(consecutiveFailures: 2, lastError: "connection refused"))
        reports.recordSuccess(member(1), latency: .milliseconds(1))
        #expect(reports.stats.withLock { $0[2]?.consecutiveFailures } == 0)
    }
}
