import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Sends writes that reach a follower to the leader, as if the leader had received them.
///
/// With `?redirect=true` (or the node's `redirectWrites` setting) the follower answers 307
/// with `Location` on the leader instead. `?consistency=leader` reads are forwarded the same
/// way. With no leader known the answer is 503 with `Retry-After`. A request already
/// forwarded once is never forwarded again, so a stale view of who leads cannot loop.
struct LeaderForwardingMiddleware<Context: RequestContext>: RouterMiddleware {
    let node: RaftNode
    let modelPaths: [String]
    let maxBodyBytes: Int
    static var forwardedHeader: HTTPField.Name { HTTPField.Name("X-Lithair-Forwarded-By")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard needsLeader(request), !ClusterStatusView(node: node).isLeader else {
            return try await next(request, context)
        }
        guard request.headers[Self.forwardedHeader] == nil else {
            throw APIError.unavailable("forwarded to a node that is not the leader either; retry")
        }
        guard let leader = await knownLeader() else {
            throw APIError(NodeError.notLeader(leaderAddress: nil))
        }
        guard leader != node.membership.selfMember.address else { return try await next(request, context) }
        let query = request.uri.query.map { "?" + $0 } ?? ""
        let target = "\(node.scheme)://\(leader)\(request.uri.path)\(query)"
        if node.cluster.redirectWrites || request.uri.queryParameters["redirect"] == "true" {
            return Response(
                status: .temporaryRedirect, headers: [.location: target, .contentType: JSONResponse.contentType],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(.object(["leader": .string(leader)])))))
        }
        var request = request
        return try await forward(&request, to: target)
    }

    /// The leader's address, waiting up to one (longest) election timeout for one to be known:
    /// a restarted follower or an election in progress is not worth a 503 yet.
    private func knownLeader() async -> String? {
        let deadline = ContinuousClock.now + node.cluster.tickInterval * 20
        while true {
            if let leader = ClusterStatusView(node: node).leaderAddress { return leader }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func needsLeader(_ request: Request) -> Bool {
        let path = request.uri.path
        guard modelPaths.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else { return false }
        switch request.method {
        case .post, .put, .patch, .delete: return true
        case .get: return request.uri.queryParameters["consistency"] == "leader"
        default: return false
        }
    }

    private func forward(_ request: inout Request, to url: String) async throws -> Response {
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for name in [HTTPField.Name.contentType, .ifMatch, .accept] {
            if let value = request.headers[name] { outgoing.headers.add(name: name.rawName, value: value) }
        }
        outgoing.headers.add(name: Self.forwardedHeader.rawName, value: node.membership.selfMember.address)
        if request.method != .get {
            outgoing.body = .bytes(try await request.collectBody(upTo: maxBodyBytes))
        }
        guard let client = node.forwardingClient else { throw APIError(NodeError.notReady) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                outgoing, timeout: .nanoseconds(node.cluster.requestTimeout.nanoseconds))
        } catch {
            throw APIError.unavailable("could not reach the leader: \(error)")
        }
        let body = try await response.body.collect(upTo: 64 << 20)
        var headers = HTTPFields()
        for (name, value) in response.headers
        where !["connection", "content-length", "date", "server", "transfer-encoding"].contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
