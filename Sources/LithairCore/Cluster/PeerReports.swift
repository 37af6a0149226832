import LithairConsensus
import Logging
import NIOCore
import Synchronization

/// What the transport learns from each exchange with a peer: the answers in its replies go
/// to the node, and its latency and failures to `/_raft/sync-status`.
final class PeerReports: Sendable {
    struct PeerStats: Sendable, Equatable {
        var lastLatencyMillis: Double?
        var consecutiveFailures = 0
        var lastError: String?
    }

    let stats: Mutex<[NodeID: PeerStats]>
    let onEvent: @Sendable (RaftNode.Input) -> Void
    private let selfRaftID: NodeID
    private let logger: Logger

    init(selfRaftID: NodeID, logger: Logger, onEvent: @escaping @Sendable (RaftNode.Input) -> Void) {
        stats = Mutex([:])
        self.selfRaftID = selfRaftID
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Keeps statistics for exactly these peers (the voters changed).
    func track(_ peers: [NodeID]) {
        stats.withLock { stats in
            stats = Dictionary(uniqueKeysWithValues: peers.map { ($0, stats[$0] ?? PeerStats()) })
        }
    }

    func received(_ outcome: PeerConnection.Outcome, from peer: ClusterMembership.Member) {
        switch outcome {
        case .replied(let reply, let latency):
            recordSuccess(peer, latency: latency)
            receiveAnswers(in: reply, from: peer)
        case .failed(let failure):
            record(peer, failure: failure)
            onEvent(.unreachable(peer.raftID))
        }
    }

    /// Hands the answers in a reply to the node. A reply that does not parse, or carries a
    /// message that is not from `peer` to this node, is dropped whole and logged: the peer is
    /// confused, and Raft recovers from a lost answer.
    private func receiveAnswers(in reply: ByteBuffer, from peer: ClusterMembership.Member) {
        do {
            let answers = try RaftWireCodec.decodeReply(reply.readableBytesView)
            let me = selfRaftID
            guard answers.allSatisfy({ $0.from == peer.raftID && $0.to == me }) else {
                throw RaftWireError("an answer is not addressed from \(peer.raftID) to \(me)")
            }
            for answer in answers { onEvent(.message(answer)) }
        } catch {
            logger.warning("dropped a malformed reply", metadata: ["peer": "\(peer.address)", "error": "\(error)"])
        }
    }

    // Both record only peers that `track` keeps: a request to a peer that has just left the
    // voters can end after its row was dropped, and must not bring it back into sync-status.
    func recordSuccess(_ peer: ClusterMembership.Member, latency: Duration) {
        stats.withLock { stats in
            guard stats[peer.raftID] != nil else { return }
            stats[peer.raftID] = PeerStats(
                lastLatencyMillis: latency.seconds * 1000, consecutiveFailures: 0, lastError: nil)
        }
    }

    func record(_ peer: ClusterMembership.Member, failure: String) {
        let failures = stats.withLock { stats -> Int in
            guard var row = stats[peer.raftID] else { return 0 }
            row.consecutiveFailures += 1
            row.lastError = failure
            stats[peer.raftID] = row
            return row.consecutiveFailures
        }
        guard failures > 0 else { return }
        // Log the first failure of a streak and then every 50th, not every heartbeat.
        if failures == 1 || failures % 50 == 0 {
            logger.warning(
                "peer unreachable",
                metadata: ["peer": "\(peer.address)", "failures": "\(failures)", "error": "\(failure)"])
        }
    }
}
