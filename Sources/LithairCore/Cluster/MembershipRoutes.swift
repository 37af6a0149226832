import HTTPTypes
import Hummingbird
import LithairConsensus

/// `/_raft/members`: the voters in force, and adding or removing one at a time on the leader.
///
/// - `GET /_raft/members` — any ready node: its configuration, the index that set it, and whether
///   that index is committed.
/// - `POST /_raft/members` with `{"node_id": 3, "address": "127.0.0.1:8083"}` — leader only,
///   authenticated: adds a voter. Start the new node first with `--join` and `--peers` naming the
///   current members; the leader catches it up as a learner (through the log or a snapshot,
///   counted in no majority) and proposes the change once it holds the log; it counts toward
///   the majority from the moment the change is in the leader's log. `503` if it does not answer
///   within 5 s or catch up within the snapshot timeout (the members are unchanged).
/// - `DELETE /_raft/members/{node_id}` — leader only, authenticated: removes a voter. A leader
///   that removes itself hands leadership over once the change commits.
///
/// Both changes answer `200` once the new configuration is committed and applied on the leader;
/// `409` while another change is in flight, `400` on a follower (with the leader's address).
struct MembershipRoutes<Context: RequestContext>: Sendable {
    let node: RaftNode
    var messages: RaftMessageIntake { RaftMessageIntake(node: node) }
    static var maxBodyBytes: Int { 4096 }

    func register(on router: Router<Context>) {
        router.get("/_raft/members") { _, _ in
            // Until the log is replayed, the configuration is the command line's, not the log's.
            guard node.isReady else { throw APIError(NodeError.notReady) }
            return JSONResponse.make(value: ClusterStatusView(node: node).members)
        }
        router.post("/_raft/members") { request, _ in
            var request = request
            return try await add(&request)
        }
        router.delete("/_raft/members/:node_id") { request, context in
            try await remove(request, nodeID: context.parameters.get("node_id"))
        }
    }

    private func add(_ request: inout Request) async throws -> Response {
        try messages.authorize(request.headers[.authorization])
        let body = try await request.collectBody(upTo: Self.maxBodyBytes)
        guard case .object(let fields)? = try? JSONParser.parse(body.readableBytesView) else {
            throw APIError.badRequest("the body must be a JSON object {\"node_id\": N, \"address\": \"host:port\"}")
        }
        guard case .int(let id)? = fields["node_id"], id >= 0, id < Int64.max else {
            throw APIError.badRequest("node_id must be a non-negative integer")
        }
        guard case .string(let rawAddress)? = fields["address"] else {
            throw APIError.badRequest("address must be a string, host:port")
        }
        let address: String
        do {
            address = try ClusterMembership.normalize(rawAddress)
        } catch {
            throw APIError.badRequest(error.message)
        }
        guard address.isVisibleASCII else {
            throw APIError.badRequest("address must be printable ASCII without spaces")
        }
        return try await change(.add(nodeID: UInt64(id), address: address))
    }

    private func remove(_ request: Request, nodeID: String?) async throws -> Response {
        try messages.authorize(request.headers[.authorization])
        guard let nodeID = nodeID.flatMap(UInt64.init), nodeID < UInt64.max else {
            throw APIError.badRequest("the node id in /_raft/members/{node_id} must be a non-negative integer")
        }
        return try await change(.remove(nodeID: nodeID))
    }

    private func change(_ change: MembershipChange) async throws -> Response {
        let view = ClusterStatusView(node: node)
        guard view.isLeader else {
            throw APIError(
                .badRequest, "membership changes must be sent to the leader",
                details: ["leader": view.leaderAddress.map(JSONValue.string) ?? .null])
        }
        let index = try await node.changeMembership(change)
        var answer = ClusterStatusView(node: node).members
        if case .object(var fields) = answer {
            fields["index"] = .int(Int64(index))
            // Applied here, so committed; the published status may still be a turn behind.
            fields["configuration_committed"] = .bool(true)
            switch change {
            case .add(let nodeID, _): fields["added"] = .int(Int64(nodeID))
            case .remove(let nodeID): fields["removed"] = .int(Int64(nodeID))
            }
            answer = .object(fields)
        }
        return JSONResponse.make(value: answer)
    }
}
