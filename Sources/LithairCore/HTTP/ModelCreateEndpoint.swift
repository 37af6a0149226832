import HTTPTypes
import NIOCore

/// `POST <model path>` (a create), answered on the event loop by a node that takes writes
/// (the leader, or a single node); anywhere else, and with a query string, the router's
/// route serves it, forwarding from a follower. Both build the same command and the same
/// answer (``ModelWrites``).
///
/// Creates are most of a write-heavy load; through the router each one hopped to a task and
/// back on top of the node's own hops.
struct ModelCreateEndpoint: EventLoopEndpoint {
    let writes: ModelWrites
    let maxBodyBytes: Int
    /// Whether this node takes writes itself right now.
    let takesWrites: @Sendable () -> Bool

    func route(for head: HTTPRequest) -> String? {
        guard head.method == .post, head.path == writes.schema.basePath, takesWrites() else { return nil }
        return writes.schema.basePath
    }

    func respond(
        to head: HTTPRequest, route: String, body: ByteBuffer, reply: @escaping @Sendable (HTTPAnswer) -> Void
    ) {
        do throws(APIError) {
            try JSONBodyReader.checkContentType(head.headerFields.value(of: .contentType))
            let command = try writes.createCommand(JSONBodyReader.object(in: body.readableBytesView))
            writes.node.submit(command) { [writes] result in
                reply(.answering { () throws(APIError) in try writes.answer(result.mapError(APIError.init).get()) })
            }
        } catch {
            reply(HTTPAnswer(error))
        }
    }
}
