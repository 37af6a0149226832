import AsyncHTTPClient
import LithairConsensus
import LithairStorage
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Node-to-node HTTP: Raft messages on one ``PeerConnection`` per peer, snapshots streamed
/// in chunks over kept-alive AsyncHTTPClient connections.
///
/// Each message is a POST (`/_raft/append`, `/_raft/vote`, …) whose HTTP reply carries the
/// peer's answers, sent once the peer has persisted what justifies them (an answer that takes
/// longer comes back as the peer's own POST). Snapshots go through their own queue per peer,
/// one transfer at a time, so a long transfer does not hold up heartbeats.
final class PeerTransport: Sendable {
    typealias PeerStats = PeerReports.PeerStats

    struct SnapshotJob: Sendable {
        var metadata: LithairConsensus.SnapshotMetadata
        var term: UInt64
        var from: NodeID
        var promise: Promise<Bool>?
    }

    /// One peer's connection for messages, and its snapshot queue with the task draining it.
    private struct PeerLink: Sendable {
        var member: ClusterMembership.Member
        var connection: PeerConnection
        var snapshotQueue: PeerQueue<SnapshotJob>
        var sender: Task<Void, Never>
    }

    private let client: HTTPClient
    private let secret: String?
    private let tls: LoadedTLS?
    private let snapshotTimeout: Duration
    private let logger: Logger
    private let snapshots: SnapshotStore
    private let links = Mutex<[NodeID: PeerLink]>([:])
    private let reports: PeerReports
    private let scheme: String
    private let onPeerFree: @Sendable () -> Void
    static let chunkBytes = 1 << 20
    static let messageTimeout = Duration.seconds(2)

    init(
        membership: ClusterMembership, secret: String?, tls: LoadedTLS?, snapshotTimeout: Duration,
        snapshots: SnapshotStore, logger: Logger, onEvent: @escaping @Sendable (RaftNode.Input) -> Void,
        onPeerFree: @escaping @Sendable () -> Void = {}
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls?.client
        scheme = LoadedTLS.scheme(tls)
        configuration.timeout = .init(connect: .seconds(1), read: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4)
        // No span per snapshot chunk: with no tracer bootstrapped it is pure overhead (a no-op
        // span, attributes, a dynamic cast).
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.secret = secret
        self.tls = tls
        self.snapshotTimeout = snapshotTimeout
        self.snapshots = snapshots
        self.logger = logger
        self.onPeerFree = onPeerFree
        reports = PeerReports(selfRaftID: membership.selfMember.raftID, logger: logger, onEvent: onEvent)
        _ = updatePeers(membership.peers)
    }

    /// Connects to voters that joined and closes the links to those that left (or moved).
    ///
    /// - Returns: what to await for the closed links to finish.
    @discardableResult
    func updatePeers(_ peers: [ClusterMembership.Member]) -> Task<Void, Never> {
        let wanted = Dictionary(uniqueKeysWithValues: peers.map { ($0.raftID, $0) })
        let closed = links.withLock { links -> [PeerLink] in
            let gone = links.values.filter { wanted[$0.member.raftID] != $0.member }
            for link in gone { links.removeValue(forKey: link.member.raftID) }
            for (raftID, member) in wanted where links[raftID] == nil {
                links[raftID] = makeLink(to: member)
            }
            return gone
        }
        reports.track(peers.map(\.raftID))
        return Task { for link in closed { await Self.close(link) } }
    }

    private func makeLink(to peer: ClusterMembership.Member) -> PeerLink {
        let reports = reports
        let onPeerFree = onPeerFree
        let queue = PeerQueue<SnapshotJob>()
        let connection = PeerConnection(
            peer: peer, secret: secret, tls: tls?.clientContext, requestTimeout: Self.messageTimeout,
            onOutcome: { outcome in reports.received(outcome, from: peer) }, onFree: onPeerFree)
        let sender = Task { [self] in
            while let jobs = await queue.popAll() {
                for job in jobs {
                    guard !Task.isCancelled else { return }
                    let ok = await streamSnapshot(job.metadata, term: job.term, from: job.from, to: peer)
                    reports.onEvent(.snapshotSent(peer: peer.raftID, success: ok))
                    job.promise?.succeed(ok)
                }
            }
        }
        return PeerLink(member: peer, connection: connection, snapshotQueue: queue, sender: sender)
    }

    private static func close(_ link: PeerLink) async {
        await link.connection.close()
        link.snapshotQueue.finish()
        link.sender.cancel()
        await link.sender.value
    }

    /// Hands each peer its messages, in order, all at once.
    func send(_ messages: [RaftMessage]) {
        var byPeer: [NodeID: [RaftMessage]] = [:]
        for message in messages { byPeer[message.to, default: []].append(message) }
        for (peer, batch) in byPeer {
            links.withLock { $0[peer]?.connection }?.send(batch)
        }
    }

    /// How many of `peers` have a free connection (no request in flight: a message to them
    /// leaves now).
    func freePeerCount(among peers: [NodeID]) -> Int {
        links.withLock { links in peers.reduce(0) { $0 + (links[$1].map { $0.connection.isBusy ? 0 : 1 } ?? 0) } }
    }

    /// Streams the newest stored snapshot to `peer`; reports the result to the node.
    func sendSnapshot(_ metadata: LithairConsensus.SnapshotMetadata, term: UInt64, to peer: NodeID, from: NodeID) {
        let queue = links.withLock { $0[peer]?.snapshotQueue }
        queue?.push(SnapshotJob(metadata: metadata, term: term, from: from, promise: nil))
    }

    /// Streams the newest stored snapshot to `peer` and waits for the outcome (force-resync).
    func sendSnapshotNow(
        _ metadata: LithairConsensus.SnapshotMetadata, term: UInt64, to peer: NodeID, from: NodeID
    ) async -> Bool {
        guard let queue = links.withLock({ $0[peer]?.snapshotQueue }) else { return false }
        let promise = Promise<Bool>()
        queue.push(SnapshotJob(metadata: metadata, term: term, from: from, promise: promise))
        return (try? await promise.value(timeout: snapshotTimeout + .seconds(5))) ?? false
    }

    func peerStats() -> [NodeID: PeerStats] { reports.stats.withLock { $0 } }

    /// Stops sending at once: queued messages are dropped (Raft resends what matters) and a
    /// request in flight is cancelled, so a dead or frozen peer cannot hold up shutdown.
    func shutdown() async {
        await updatePeers([]).value
        try? await client.shutdown()
    }

    // MARK: Delivery

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

    /// POSTs `body`; the reply's body on a 2xx status, nil on any failure (recorded).
    private func post(
        to peer: ClusterMembership.Member, path: String, body: [UInt8], contentType: String, timeout: Duration
    ) async -> ByteBuffer? {
        var request = HTTPClientRequest(url: "\(scheme)://\(peer.address)\(path)")
        request.method = .POST
        request.headers.add(name: "content-type", value: contentType)
        if let secret { request.headers.add(name: "authorization", value: "Bearer \(secret)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let reply = try await response.body.collect(upTo: 1 << 16)
            guard (200..<300).contains(response.status.code) else {
                reports.record(peer, failure: "HTTP \(response.status.code): \(String(buffer: reply))")
                return nil
            }
            reports.recordSuccess(peer, latency: ContinuousClock.now - started)
            return reply
        } catch {
            reports.record(peer, failure: "\(error)")
            return nil
        }
    }
}
