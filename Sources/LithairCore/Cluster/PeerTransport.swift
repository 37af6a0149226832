import AsyncHTTPClient
import LithairConsensus
import LithairStorage
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Node-to-node HTTP: one ordered sender per peer over kept-alive AsyncHTTPClient connections.
///
/// Each message is a POST (`/_raft/append`, `/_raft/vote`, …) whose HTTP reply carries the
/// peer's answers, sent once the peer has persisted what justifies them (an answer that takes
/// longer comes back as the peer's own POST). Each peer's queue is drained in order by one
/// task, one POST at a time, so appends arrive in the order the core produced them and those
/// queued during a round trip leave together as the next, merged POST; a full queue drops its
/// oldest messages, which Raft tolerates (the leader re-probes).
final class PeerTransport: Sendable {
    struct PeerStats: Sendable, Equatable {
        var lastLatencyMillis: Double?
        var consecutiveFailures = 0
        var lastError: String?
    }

    enum Outgoing: Sendable {
        case message(RaftMessage)
        case snapshot(LithairConsensus.SnapshotMetadata, term: UInt64, from: NodeID, Promise<Bool>?)
    }

    private let client: HTTPClient
    private let membership: ClusterMembership
    private let secret: String?
    private let snapshotTimeout: Duration
    private let logger: Logger
    private let onEvent: @Sendable (RaftNode.Input) -> Void
    private let snapshots: SnapshotStore
    private let queues: [NodeID: PeerQueue]
    private let stats: Mutex<[NodeID: PeerStats]>
    private let senders = Mutex<[Task<Void, Never>]>([])
    static let chunkBytes = 1 << 20

    init(
        membership: ClusterMembership, secret: String?, snapshotTimeout: Duration, snapshots: SnapshotStore,
        logger: Logger, onEvent: @escaping @Sendable (RaftNode.Input) -> Void
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1), read: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4)
        // No span per replication POST: with no tracer bootstrapped it is pure overhead (a
        // no-op span, attributes, a dynamic cast), paid several hundred times a second.
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.membership = membership
        self.secret = secret
        self.snapshotTimeout = snapshotTimeout
        self.snapshots = snapshots
        self.logger = logger
        self.onEvent = onEvent
        let queues = Dictionary(uniqueKeysWithValues: membership.peers.map { ($0.raftID, PeerQueue()) })
        self.queues = queues
        stats = Mutex(Dictionary(uniqueKeysWithValues: membership.peers.map { ($0.raftID, PeerStats()) }))
        let tasks = membership.peers.map { peer in
            Task { [self] in
                let queue = queues[peer.raftID]!
                while let waiting = await queue.popAll() {
                    for item in AppendCoalescer.coalesce(waiting) {
                        guard !Task.isCancelled else { return }
                        await deliver(item, to: peer)
                    }
                }
            }
        }
        senders.withLock { $0 = tasks }
    }

    func send(_ message: RaftMessage) {
        queues[message.to]?.push(.message(message))
    }

    /// Streams the newest stored snapshot to `peer`; reports the result to the node.
    func sendSnapshot(_ metadata: LithairConsensus.SnapshotMetadata, term: UInt64, to peer: NodeID, from: NodeID) {
        queues[peer]?.push(.snapshot(metadata, term: term, from: from, nil))
    }

    /// Streams the newest stored snapshot to `peer` and waits for the outcome (force-resync).
    func sendSnapshotNow(
        _ metadata: LithairConsensus.SnapshotMetadata, term: UInt64, to peer: NodeID, from: NodeID
    ) async -> Bool {
        let promise = Promise<Bool>()
        queues[peer]?.push(.snapshot(metadata, term: term, from: from, promise))
        return (try? await promise.value(timeout: snapshotTimeout + .seconds(5))) ?? false
    }

    func peerStats() -> [NodeID: PeerStats] { stats.withLock { $0 } }

    /// Stops sending at once: queued messages are dropped (Raft resends what matters) and a
    /// request in flight is cancelled, so a dead or frozen peer cannot hold up shutdown.
    func shutdown() async {
        for queue in queues.values { queue.finish() }
        let tasks = senders.withLock { $0 }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        try? await client.shutdown()
    }

    // MARK: Delivery

    private func deliver(_ item: Outgoing, to peer: ClusterMembership.Member) async {
        switch item {
        case .message(let message):
            guard
                let reply = await post(
                    to: peer, path: RaftWireCodec.route(for: message), body: RaftWireCodec.encode(message),
                    contentType: "application/json", timeout: .seconds(2))
            else {
                onEvent(.unreachable(peer.raftID))
                return
            }
            receiveAnswers(in: reply, from: peer)
        case .snapshot(let metadata, let term, let from, let promise):
            let ok = await streamSnapshot(metadata, term: term, from: from, to: peer)
            onEvent(.snapshotSent(peer: peer.raftID, success: ok))
            promise?.succeed(ok)
        }
    }

    private func streamSnapshot(
        _ metadata: LithairConsensus.SnapshotMetadata, term: UInt64, from: NodeID, to peer: ClusterMembership.Member
    ) async -> Bool {
        let deadline = ContinuousClock.now + snapshotTimeout
        do {
            guard let file = try snapshots.latestFile(), file.metadata.index >= metadata.index else {
                logger.warning("no stored snapshot to send", metadata: ["peer": "\(peer.address)"])
                return false
            }
            var offset = 0
            repeat {
                guard ContinuousClock.now < deadline else {
                    logger.warning("snapshot transfer timed out", metadata: ["peer": "\(peer.address)"])
                    return false
                }
                let chunk = try snapshots.readChunk(of: file, offset: offset, maxLength: Self.chunkBytes)
                let query =
                    "from=\(from)&to=\(peer.raftID)&term=\(term)&index=\(file.metadata.index)"
                    + "&snapshot_term=\(file.metadata.term)&offset=\(offset)&total=\(file.totalBytes)"
                    + "&checksum=\(file.checksum)"
                let reply = await post(
                    to: peer, path: "/_raft/snapshot?" + query, body: chunk, contentType: "application/octet-stream",
                    timeout: max(.seconds(1), deadline - ContinuousClock.now))
                guard reply != nil else { return false }
                offset += chunk.count
            } while offset < file.totalBytes
            return true
        } catch {
            logger.warning("snapshot transfer failed", metadata: ["peer": "\(peer.address)", "error": "\(error)"])
            return false
        }
    }

    /// Hands the answers in a reply to the node. A reply that does not parse, or carries a
    /// message that is not from `peer` to this node, is dropped whole and logged: the peer is
    /// confused, and Raft recovers from a lost answer.
    private func receiveAnswers(in reply: ByteBuffer, from peer: ClusterMembership.Member) {
        do {
            let answers = try RaftWireCodec.decodeReply(reply.readableBytesView)
            let me = membership.selfMember.raftID
            guard answers.allSatisfy({ $0.from == peer.raftID && $0.to == me }) else {
                throw RaftWireError("an answer is not addressed from \(peer.raftID) to \(me)")
            }
            for answer in answers { onEvent(.message(answer)) }
        } catch {
            logger.warning("dropped a malformed reply", metadata: ["peer": "\(peer.address)", "error": "\(error)"])
        }
    }

    /// POSTs `body`; the reply's body on a 2xx status, nil on any failure (recorded).
    private func post(
        to peer: ClusterMembership.Member, path: String, body: [UInt8], contentType: String, timeout: Duration
    ) async -> ByteBuffer? {
        var request = HTTPClientRequest(url: "http://\(peer.address)\(path)")
        request.method = .POST
        request.headers.add(name: "content-type", value: contentType)
        if let secret { request.headers.add(name: "authorization", value: "Bearer \(secret)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let reply = try await response.body.collect(upTo: 1 << 16)
            guard (200..<300).contains(response.status.code) else {
                record(peer, failure: "HTTP \(response.status.code): \(String(buffer: reply))")
                return nil
            }
            let millis = (ContinuousClock.now - started).seconds * 1000
            stats.withLock {
                $0[peer.raftID] = PeerStats(lastLatencyMillis: millis, consecutiveFailures: 0, lastError: nil)
            }
            return reply
        } catch {
            record(peer, failure: "\(error)")
            return nil
        }
    }

    private func record(_ peer: ClusterMembership.Member, failure: String) {
        let failures = stats.withLock { stats -> Int in
            stats[peer.raftID, default: PeerStats()].consecutiveFailures += 1
            stats[peer.raftID]?.lastError = failure
            return stats[peer.raftID]!.consecutiveFailures
        }
        // Log the first failure of a streak and then every 50th, not every heartbeat.
        if failures == 1 || failures % 50 == 0 {
            logger.warning(
                "peer unreachable",
                metadata: ["peer": "\(peer.address)", "failures": "\(failures)", "error": "\(failure)"])
        }
    }
}
