import HTTPTypes
import Hummingbird
import LithairConsensus
import LithairStorage
import Synchronization

/// `/_raft/*` on the router: snapshot chunks, force-resync and the seed's monitoring
/// endpoints. The message routes (append, vote, timeout-now, read-index) are answered before
/// the router, by ``RaftMessageChannelHandler``.
///
/// Everything that can change state requires `Authorization: Bearer <cluster secret>` when a
/// secret is set; without it the request gets 401 and nothing reaches the node.
struct RaftRoutes<Context: RequestContext>: Sendable {
    let node: RaftNode
    let intake: SnapshotIntake
    var messages: RaftMessageIntake { RaftMessageIntake(node: node) }

    func register(on router: Router<Context>) {
        router.post("/_raft/snapshot") { request, _ in
            var request = request
            return try await receiveSnapshotChunk(&request)
        }
        router.get("/_raft/health") { _, _ in JSONResponse.make(value: ClusterStatusView(node: node).health) }
        router.get("/_raft/sync-status") { _, _ in JSONResponse.make(value: ClusterStatusView(node: node).syncStatus) }
        router.get("/_raft/resync_stats") { _, _ in
            JSONResponse.make(value: ClusterStatusView(node: node).resyncStats)
        }
        router.post("/_raft/force-resync") { request, _ in try await forceResync(request) }
    }

    private func authorize(_ request: Request) throws(APIError) {
        try messages.authorize(request.headers[.authorization])
    }

    private func receiveSnapshotChunk(_ request: inout Request) async throws -> Response {
        try authorize(request)
        let query = request.uri.queryParameters
        func number(_ name: String) throws -> UInt64 {
            guard let raw = query[Substring(name)], let value = UInt64(raw) else {
                throw APIError.badRequest("query parameter '\(name)' must be a non-negative integer")
            }
            return value
        }
        let from = try number("from")
        let to = try number("to")
        try messages.checkAddressing(from: from, to: to)
        let chunk = SnapshotIntake.Chunk(
            from: from, term: try number("term"), index: try number("index"), snapshotTerm: try number("snapshot_term"),
            offset: try number("offset"), total: try number("total"), checksum: try number("checksum"))
        guard chunk.total <= 1 << 34, chunk.checksum <= UInt64(UInt32.max) else {
            throw APIError.badRequest("snapshot total or checksum out of range")
        }
        let body = try await request.collectBody(upTo: PeerTransport.chunkBytes + 1024)
        let received: LithairStorage.SnapshotMetadata?
        do {
            received = try intake.write(chunk, bytes: Array(body.readableBytesView))
        } catch {
            throw APIError.badRequest("snapshot chunk rejected: \(error)")
        }
        if let received {
            node.stats.withLock { $0.snapshotsReceived += 1 }
            node.enqueue(.snapshotReceived(node.consensusMetadata(received), from: from, term: chunk.term))
        }
        return JSONResponse.make(value: .object(["ok": .bool(true), "complete": .bool(received != nil)]))
    }

    private func forceResync(_ request: Request) async throws -> Response {
        try authorize(request)
        guard let target = request.uri.queryParameters["target"].map(String.init), !target.isEmpty else {
            throw APIError.badRequest("force-resync needs ?target=host:port")
        }
        let view = ClusterStatusView(node: node)
        guard view.isLeader else {
            throw APIError(
                .badRequest, "force-resync must be sent to the leader",
                details: ["leader": view.leaderAddress.map(JSONValue.string) ?? .null])
        }
        let normalized = (try? ClusterMembership.normalize(target)) ?? target
        guard let peer = node.membership.peers.first(where: { $0.address == normalized }) else {
            throw APIError(
                .notFound, "\(target) is not a follower of this cluster", details: ["target": .string(target)])
        }
        try await node.takeFreshSnapshot()
        guard let transport = node.transport, let metadata = node.latestSnapshotMetadata else {
            throw APIError.unavailable("no snapshot could be taken")
        }
        // Attempts are counted here; successes and failures by the loop, as for automatic resyncs.
        node.stats.withLock { $0.sendAttempts += 1 }
        let success = await transport.sendSnapshotNow(
            metadata, term: view.term, to: peer.raftID, from: node.membership.selfMember.raftID)
        let message =
            success
            ? "Snapshot resync to \(peer.address) completed successfully"
            : "Snapshot resync to \(peer.address) failed: \(transport.peerStats()[peer.raftID]?.lastError ?? "unreachable")"
        return JSONResponse.make(
            status: success ? .ok : .badGateway,
            value: .object(["target": .string(peer.address), "success": .bool(success), "message": .string(message)]))
    }
}

/// Compares secrets without leaking, through timing, how long a matching prefix was.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8)
    let b = Array(rhs.utf8)
    var difference = UInt8(a.count == b.count ? 0 : 1)
    for index in 0..<max(a.count, b.count) {
        difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
    }
    return difference == 0
}

/// Chunks of snapshots being received from the leader, one transfer per (sender, index).
final class SnapshotIntake: @unchecked Sendable {
    struct Chunk: Sendable {
        var from: UInt64
        var term: UInt64
        var index: UInt64
        var snapshotTerm: UInt64
        var offset: UInt64
        var total: UInt64
        var checksum: UInt64
    }

    private let lock = Mutex<Void>(())
    private let node: RaftNode
    private var receivers: [String: SnapshotReceiver] = [:]

    init(node: RaftNode) { self.node = node }

    /// Writes one chunk; returns the snapshot's metadata when it completed and installed the file.
    func write(_ chunk: Chunk, bytes: [UInt8]) throws -> LithairStorage.SnapshotMetadata? {
        try lock.withLock { _ in
            guard let store = node.snapshotStore else {
                throw SnapshotChunkError(message: "the node has not started yet")
            }
            let key = "\(chunk.from)-\(chunk.index)-\(chunk.snapshotTerm)"
            if chunk.offset == 0 {
                for (_, stale) in receivers { stale.abort() }
                receivers.removeAll()
                receivers[key] = try store.beginReceive(
                    metadata: LithairStorage.SnapshotMetadata(index: chunk.index, term: chunk.snapshotTerm),
                    totalBytes: Int(chunk.total), checksum: UInt32(chunk.checksum))
            }
            guard let receiver = receivers[key] else {
                throw SnapshotChunkError(message: "chunk at offset \(chunk.offset) of a transfer that never started")
            }
            do {
                try receiver.write(bytes, at: Int(chunk.offset))
                guard chunk.offset + UInt64(bytes.count) >= chunk.total else { return nil }
                let metadata = try receiver.finish()
                receivers.removeValue(forKey: key)
                return metadata
            } catch {
                receiver.abort()
                receivers.removeValue(forKey: key)
                throw error
            }
        }
    }
}

struct SnapshotChunkError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
