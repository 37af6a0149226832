import HTTPTypes
import LithairConsensus
import NIOCore

/// `POST /_raft/append`, `/_raft/vote`, `/_raft/timeout-now` and `/_raft/read-index`,
/// answered on the event loop.
///
/// Every replication round crosses this endpoint once per follower. Through the router it
/// took two hops between threads on top of the node's own (to a task for the handler, and
/// back from the node's loop to that task), and a hop costs more CPU on these machines than
/// the message's JSON. Here the body goes straight to the node's loop and the answer
/// straight back to the socket.
struct RaftMessageEndpoint: EventLoopEndpoint {
    let intake: RaftMessageIntake

    var maxBodyBytes: Int { RaftMessageIntake.maxBodyBytes }

    func route(for head: HTTPRequest) -> String? {
        guard head.method == .post, let path = head.path else { return nil }
        let route = String(path.prefix { $0 != "?" })
        return RaftMessageIntake.messageRoutes.contains(route) ? route : nil
    }

    func respond(
        to head: HTTPRequest, route: String, body: ByteBuffer, reply: @escaping @Sendable (HTTPAnswer) -> Void
    ) {
        do throws(APIError) {
            try intake.admit(
                route: route, authorization: head.headerFields.value(of: .authorization), body: body.readableBytesView
            ) { result in
                reply(
                    .answering { () throws(APIError) in
                        HTTPAnswer(status: .ok, body: try RaftMessageIntake.replyBody(result))
                    })
            }
        } catch {
            reply(HTTPAnswer(error))
        }
    }
}
