import HTTPTypes
import LithairConsensus
import NIOCore
import NIOHTTPTypes

/// Answers the node-to-node message routes (`POST /_raft/append`, `/_raft/vote`,
/// `/_raft/timeout-now`, `/_raft/read-index`) on the connection's event loop, ahead of the
/// router; every other request passes through untouched.
///
/// Every replication round crosses this path twice per follower. Through the router it took
/// two hops between threads on top of the node's own (to a task for the handler, and back
/// from the node's loop to that task), and a hop costs more CPU on these machines than the
/// message's JSON. Here the request body goes straight to the node's loop and the answer
/// straight back to the socket.
///
/// HTTP/1.1 answers requests in order: while this handler owes an answer, later requests on
/// the connection wait here, and a message request waits while the router owes one.
final class RaftMessageChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private struct Message {
        var route: String
        var authorization: String?
        var keepAlive: Bool
        var body: ByteBuffer
        var tooLarge = false
    }

    private enum Reading {
        case idle
        /// Forwarding a request to the router, up to its end.
        case passing
        case collecting(Message)
        /// The node has the message; its answers are not written yet.
        case answering
    }

    private let intake: RaftMessageIntake
    private let metrics: ServerMetrics
    private var reading = Reading.idle
    private var routerAnswersOwed = 0
    /// Request parts that arrived while an earlier request on the connection was unanswered.
    private var held: [HTTPRequestPart] = []
    private var heldBytes = 0
    private var active = true
    static let maxHeldBytes = 2 * RaftMessageIntake.maxBodyBytes

    init(intake: RaftMessageIntake, metrics: ServerMetrics) {
        self.intake = intake
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !held.isEmpty || isAnswering {
            hold(part, context: context)
        } else {
            process(part, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            routerAnswersOwed -= 1
            context.write(data, promise: promise)
            releaseHeld(context: context)
        } else {
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        held.removeAll()
        context.fireChannelInactive()
    }

    private var isAnswering: Bool {
        if case .answering = reading { true } else { false }
    }

    private func process(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            guard case .idle = reading, let route = Self.messageRoute(head) else { break }
            guard routerAnswersOwed == 0 else {
                hold(part, context: context)
                return
            }
            reading = .collecting(
                Message(
                    route: route, authorization: head.headerFields[.authorization],
                    keepAlive: head.headerFields[.connection]?.lowercased() != "close",
                    body: context.channel.allocator.buffer(capacity: 0)))
            return
        case .body(var chunk):
            guard case .collecting = reading else { break }
            collect(&chunk)
            return
        case .end:
            if case .collecting(let message) = reading {
                reading = .answering
                answer(message, context: context)
                return
            }
        }
        // A request for the router (or parts out of order, which its HTTP handling owns).
        switch (reading, part) {
        case (.idle, .head):
            routerAnswersOwed += 1
            reading = .passing
        case (.passing, .end):
            reading = .idle
        default:
            break
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// Appends to the message being read. The message leaves `reading` while it grows: a
    /// second reference to its buffer would copy the whole body on every chunk.
    private func collect(_ chunk: inout ByteBuffer) {
        guard case .collecting(var message) = reading else { return }
        reading = .idle
        if message.body.readableBytes + chunk.readableBytes > RaftMessageIntake.maxBodyBytes {
            message.tooLarge = true
            message.body.clear()
        } else if !message.tooLarge {
            message.body.writeBuffer(&chunk)
        }
        reading = .collecting(message)
    }

    private func hold(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        if case .body(let chunk) = part { heldBytes += chunk.readableBytes }
        held.append(part)
        if heldBytes > Self.maxHeldBytes || held.count > 10_000 {
            // A client pipelining this much behind an unanswered request is not a peer.
            held.removeAll()
            context.close(promise: nil)
        }
    }

    /// Processes held parts until one has to wait again.
    private func releaseHeld(context: ChannelHandlerContext) {
        var forwarded = false
        while active, !held.isEmpty, !isAnswering {
            if case .head(let head) = held[0], Self.messageRoute(head) != nil, routerAnswersOwed > 0 { break }
            let part = held.removeFirst()
            if case .body(let chunk) = part { heldBytes -= chunk.readableBytes }
            if case .passing = reading { forwarded = true }
            if case .idle = reading, case .head = part { forwarded = true }
            process(part, context: context)
        }
        // The router's channel delivers what it was handed at the end of a read.
        if forwarded { context.fireChannelReadComplete() }
    }

    private func answer(_ message: Message, context: ChannelHandlerContext) {
        let started = ContinuousClock.now
        let promise: Promise<[RaftMessage]>
        do throws(APIError) {
            if message.tooLarge { throw APIError(.contentTooLarge, "request body is larger than the limit") }
            promise = try intake.admit(
                route: message.route, authorization: message.authorization, body: message.body.readableBytesView)
        } catch {
            respond(error: error, to: message, started: started, context: context)
            return
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        promise.whenResolved(timeout: RaftMessageIntake.replyTimeout) { result in
            loop.execute {
                let (handler, context) = bound.value
                do throws(APIError) {
                    let body = try RaftMessageIntake.replyBody(result)
                    handler.respond(status: .ok, body: body, to: message, started: started, context: context)
                } catch {
                    handler.respond(error: error, to: message, started: started, context: context)
                }
            }
        }
    }

    private func respond(
        error: APIError, to message: Message, started: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        respond(
            status: error.status, body: error.body, headers: error.headers, to: message, started: started,
            context: context)
    }

    private func respond(
        status: HTTPResponse.Status, body: [UInt8], headers: HTTPFields = [:], to message: Message,
        started: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        guard active else { return }
        var fields = headers
        fields[.contentType] = JSONResponse.contentType
        fields[.contentLength] = String(body.count)
        if !message.keepAlive { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        metrics.recordRequest(
            route: message.route, method: "POST", status: status.code, duration: ContinuousClock.now - started)
        reading = .idle
        if message.keepAlive {
            releaseHeld(context: context)
        } else {
            context.close(promise: nil)
        }
    }

    /// The message route `head` is a POST to, if it is one.
    static func messageRoute(_ head: HTTPRequest) -> String? {
        guard head.method == .post, let path = head.path else { return nil }
        let route = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        guard let route, RaftMessageIntake.messageRoutes.contains(route) else { return nil }
        return route
    }
}
