import LithairConsensus

/// Admits what peers POST to `/_raft/*`: the cluster secret first, then the message and its
/// addressing, and only then the node's loop.
///
/// A request that fails any check gets an ``APIError`` and reaches nothing.
struct RaftMessageIntake: Sendable {
    let node: RaftNode

    /// The routes that carry one ``RaftMessage`` each and answer with the node's replies.
    static let messageRoutes: Set<String> = [
        RaftWireRoute.append.rawValue, RaftWireRoute.vote.rawValue, RaftWireRoute.timeoutNow.rawValue,
        RaftWireRoute.readIndex.rawValue,
    ]
    /// The largest message body accepted (an append of a full batch of large events).
    static let maxBodyBytes = 64 << 20
    /// How long a peer's POST waits for this node's answer, well below the sender's timeout.
    static var replyTimeout: Duration { .seconds(1) }

    /// Checks `Authorization: Bearer <cluster secret>` when a secret is configured.
    func authorize(_ authorization: String?) throws(APIError) {
        guard let secret = node.cluster.clusterSecret else { return }
        guard constantTimeEquals(authorization ?? "", "Bearer " + secret) else {
            throw APIError(.unauthorized, "missing or wrong cluster secret (Authorization: Bearer …)")
        }
    }

    /// Checks that a message is for this node and from another node.
    ///
    /// The sender need not be a voter of this node's configuration: a node whose log lags
    /// behind a membership change must still hear (and vote for) a member added since. The
    /// cluster secret is what keeps strangers out.
    func checkAddressing(from: UInt64, to: UInt64) throws(APIError) {
        let me = node.membership.selfMember.raftID
        guard to == me else {
            throw APIError.badRequest("message addressed to raft id \(to), this node is \(me)")
        }
        guard from != to, from != 0 else {
            throw APIError.badRequest("message from raft id \(from), which cannot be another node")
        }
    }

    /// Hands a message POSTed to `route` to the node.
    ///
    /// - Parameter whenAnswered: called with the answers this node makes to the sender in the
    ///   turn that handles the message, once they are durable (an empty list if it has none),
    ///   or with ``NodeError/timedOut`` after ``replyTimeout``. Registered before the message
    ///   is handed over: the turn may run on this very thread before `admit` returns.
    func admit(
        route: String, authorization: String?, body: some Collection<UInt8>,
        whenAnswered: @escaping Promise<[RaftMessage]>.Callback
    ) throws(APIError) {
        try authorize(authorization)
        let message: RaftMessage
        do {
            message = try RaftWireCodec.decode(body, route: route)
        } catch {
            throw APIError.badRequest("bad raft message: \(error.message)")
        }
        try checkAddressing(from: message.from, to: message.to)
        let reply = Promise<[RaftMessage]>()
        reply.whenResolved(timeout: Self.replyTimeout, whenAnswered)
        node.enqueue(.message(message, reply: reply))
    }

    /// The `200` body for answers that came in time; a timeout answers with none (dropped, as
    /// a lost message would be: the sender's next message or a probe brings the answer).
    static func replyBody(_ result: Result<[RaftMessage], any Error>) throws(APIError) -> [UInt8] {
        switch result {
        case .success(let answers):
            return RaftWireCodec.encodeReply(answers)
        case .failure(NodeError.timedOut):
            return RaftWireCodec.encodeReply([])
        case .failure:
            throw APIError.unavailable("the node is stopping")
        }
    }
}
