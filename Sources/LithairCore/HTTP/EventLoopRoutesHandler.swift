import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers the hottest routes on the connection's event loop, ahead of Hummingbird's router;
/// every other request passes through untouched. It sees the requests ``PlainRequestFastPath``
/// leaves to the HTTP stack: those on a connection handed over, in any form HTTP allows.
///
/// Through the router a request is handed to a task and its response back to the event loop,
/// and the node's answer wakes that task in between: on these machines each hop costs more
/// CPU than the request's JSON. An ``EventLoopEndpoint`` gets the request on the event loop
/// and replies from whichever thread has the answer.
///
/// HTTP/1.1 answers requests in order: while this handler owes an answer, later requests on
/// the connection wait here, and a request for an endpoint waits while the router owes one.
final class EventLoopRoutesHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private struct Request {
        var endpoint: any EventLoopEndpoint
        var route: String
        var head: HTTPRequest
        var body: ByteBuffer
        var tooLarge = false
        var keepAlive: Bool { head.headerFields[.connection]?.lowercased() != "close" }
    }

    private enum Reading {
        case idle
        /// Forwarding a request to the router, up to its end.
        case passing
        case collecting(Request)
        /// The endpoint has the request; its answer is not written yet.
        case answering
    }

    private let routes: EventLoopRoutes
    private var reading = Reading.idle
    private var routerAnswersOwed = 0
    /// Request parts that arrived while an earlier request on the connection was unanswered.
    private var held: [HTTPRequestPart] = []
    private var heldBytes = 0
    private var active = true
    static let maxHeldBytes = 128 << 20

    init(routes: EventLoopRoutes) {
        self.routes = routes
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
            // Never below zero: the router also answers a request it could not parse, which
            // never came through here as a head (and then closes the connection).
            routerAnswersOwed = max(0, routerAnswersOwed - 1)
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
            guard case .idle = reading, let (endpoint, route) = routes.match(head) else { break }
            guard routerAnswersOwed == 0 else {
                hold(part, context: context)
                return
            }
            sendContinueIfExpected(head, context: context)
            reading = .collecting(
                Request(
                    endpoint: endpoint, route: route, head: head, body: context.channel.allocator.buffer(capacity: 0)))
            return
        case .body(var chunk):
            guard case .collecting = reading else { break }
            collect(&chunk)
            return
        case .end:
            if case .collecting(let request) = reading {
                reading = .answering
                answer(request, context: context)
                return
            }
        }
        // A request for the router (or parts out of order, which its HTTP handling owns).
        switch (reading, part) {
        case (.idle, .head(let head)):
            if routerAnswersOwed == 0 { sendContinueIfExpected(head, context: context) }
            routerAnswersOwed += 1
            reading = .passing
        case (.passing, .end):
            reading = .idle
        default:
            break
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// Answers `Expect: 100-continue` with `100 Continue`: the client holds the body back until
    /// then (curl for bodies over 1 MiB, for a second). Called only when this request's answer
    /// is the next one the connection owes, so the interim answer overtakes no other; a request
    /// that waited behind others gets it once they are answered, by then maybe unneeded, which
    /// clients ignore.
    private func sendContinueIfExpected(_ head: HTTPRequest, context: ChannelHandlerContext) {
        guard head.headerFields[.expect]?.lowercased() == "100-continue" else { return }
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }

    /// Appends to the request being read. The request leaves `reading` while it grows: a
    /// second reference to its buffer would copy the whole body on every chunk.
    private func collect(_ chunk: inout ByteBuffer) {
        guard case .collecting(var request) = reading else { return }
        reading = .idle
        if request.body.readableBytes + chunk.readableBytes > request.endpoint.maxBodyBytes {
            request.tooLarge = true
            request.body.clear()
        } else if !request.tooLarge {
            request.body.writeBuffer(&chunk)
        }
        reading = .collecting(request)
    }

    private func hold(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        if case .body(let chunk) = part { heldBytes += chunk.readableBytes }
        held.append(part)
        if heldBytes > Self.maxHeldBytes || held.count > 10_000 {
            // A client pipelining this much behind an unanswered request is misbehaving.
            held.removeAll()
            context.close(promise: nil)
        }
    }

    /// Processes held parts until one has to wait again.
    private func releaseHeld(context: ChannelHandlerContext) {
        var forwarded = false
        while active, !held.isEmpty, !isAnswering {
            if case .head(let head) = held[0], routes.match(head) != nil, routerAnswersOwed > 0 { break }
            let part = held.removeFirst()
            if case .body(let chunk) = part { heldBytes -= chunk.readableBytes }
            if case .passing = reading { forwarded = true }
            if case .idle = reading, case .head = part { forwarded = true }
            process(part, context: context)
        }
        // The router's channel delivers what it was handed at the end of a read.
        if forwarded { context.fireChannelReadComplete() }
    }

    private func answer(_ request: Request, context: ChannelHandlerContext) {
        let started = ContinuousClock.now
        guard !request.tooLarge else {
            let error = APIError.bodyTooLarge(
                length: request.head.headerFields[.contentLength].flatMap { Int($0) },
                limit: request.endpoint.maxBodyBytes)
            return respond(HTTPAnswer(error), to: request, started: started, context: context)
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        request.endpoint.respond(to: request.head, route: request.route, body: request.body) { answer in
            if loop.inEventLoop {
                let (handler, context) = bound.value
                handler.respond(answer, to: request, started: started, context: context)
            } else {
                loop.execute {
                    let (handler, context) = bound.value
                    handler.respond(answer, to: request, started: started, context: context)
                }
            }
        }
    }

    private func respond(
        _ answer: HTTPAnswer, to request: Request, started: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        guard active else { return }
        let head = HTTPResponse(
            status: answer.status, headerFields: answer.responseFields(keepAlive: request.keepAlive))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = answer.body {
            context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        routes.metrics.recordRequest(
            route: request.route, method: request.head.method.rawValue, status: answer.status.code,
            duration: ContinuousClock.now - started)
        reading = .idle
        if request.keepAlive {
            releaseHeld(context: context)
        } else {
            context.close(promise: nil)
        }
    }
}
