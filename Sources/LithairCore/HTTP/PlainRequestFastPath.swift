import HTTPTypes
import NIOCore

/// Answers the event-loop routes from the connection's raw bytes, ahead of the whole HTTP
/// stack, for as long as the connection sends nothing but plain requests for them.
///
/// On a node under write load nearly every request is a create or a Raft message in the
/// plainest HTTP/1.1 form, and the general stack (llhttp, HTTP/1 to HTTPTypes conversion and
/// back, the response encoder, a pipeline step per part) cost more CPU than the request's
/// own work. The first request this handler does not take — another route, a body over the
/// endpoint's limit, or anything ``PlainRequestReader`` leaves alone — hands the connection
/// over for good: the handler leaves the pipeline and passes every byte it has not answered
/// to the HTTP stack behind it, which answers as it always did. Requests are answered one at
/// a time and in order; bytes that arrive meanwhile wait here.
final class PlainRequestFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let routes: EventLoopRoutes
    private let secure: Bool
    /// Received bytes not answered yet.
    private var unread: ByteBuffer?
    /// The head of the request being read, kept while its body arrives.
    private var pending: PlainRequestHead?
    private var answering = false
    private var closeAfterAnswer = false
    private var inputClosed = false
    private var handingOver = false
    private var active = true

    init(routes: EventLoopRoutes, secure: Bool) {
        self.routes = routes
        self.secure = secure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        unread.accumulate(&chunk)
        if answering {
            if unread!.readableBytes > EventLoopRoutesHandler.maxHeldBytes {
                // A client pipelining this much behind an unanswered request is misbehaving.
                unread = nil
                context.close(promise: nil)
            }
        } else {
            serveUnread(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The stack behind has seen no request, so it would close at once: close once the
            // answer owed is written.
            if answering {
                closeAfterAnswer = true
            } else {
                context.close(promise: nil)
            }
        } else if case .inputClosed = event as? ChannelEvent {
            inputClosed = true
            if !answering { handOver(context: context) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        unread = nil
        context.fireChannelInactive()
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        if let unread, unread.readableBytes > 0 {
            self.unread = nil
            context.fireChannelRead(wrapInboundOut(unread))
            context.fireChannelReadComplete()
        }
        if inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.leavePipeline(removalToken: removalToken)
    }

    /// Answers the next complete request, or hands the connection over.
    private func serveUnread(context: ChannelHandlerContext) {
        guard active, !handingOver, !answering, var bytes = unread, bytes.readableBytes > 0 else { return }
        let head: PlainRequestHead
        if let pending {
            head = pending
        } else {
            switch bytes.withUnsafeReadableBytes({ PlainRequestReader.read($0, secure: secure) }) {
            case .incomplete: return
            case .unsupported: return handOver(context: context)
            case .head(let read): head = read
            }
        }
        guard let (endpoint, route) = routes.match(head.request), head.contentLength <= endpoint.maxBodyBytes else {
            return handOver(context: context)
        }
        guard bytes.readableBytes >= head.headLength + head.contentLength else {
            pending = head
            return
        }
        pending = nil
        unread = nil
        bytes.moveReaderIndex(forwardBy: head.headLength)
        let body = bytes.readSlice(length: head.contentLength)!
        if bytes.readableBytes > 0 { unread = bytes }
        answer(head, endpoint: endpoint, route: route, body: body, context: context)
    }

    private func answer(
        _ head: PlainRequestHead, endpoint: any EventLoopEndpoint, route: String, body: ByteBuffer,
        context: ChannelHandlerContext
    ) {
        answering = true
        let started = ContinuousClock.now
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        endpoint.respond(to: head.request, route: route, body: body) { answer in
            if loop.inEventLoop {
                let (handler, context) = bound.value
                handler.respond(answer, to: head, route: route, started: started, context: context)
            } else {
                loop.execute {
                    let (handler, context) = bound.value
                    handler.respond(answer, to: head, route: route, started: started, context: context)
                }
            }
        }
    }

    private func respond(
        _ answer: HTTPAnswer, to head: PlainRequestHead, route: String, started: ContinuousClock.Instant,
        context: ChannelHandlerContext
    ) {
        answering = false
        guard active else { return }
        let keepAlive = head.keepAlive && !closeAfterAnswer
        var response = context.channel.allocator.buffer(capacity: 256 + (answer.body?.count ?? 0))
        answer.write(into: &response, keepAlive: keepAlive)
        context.writeAndFlush(wrapOutboundOut(response), promise: nil)
        routes.metrics.recordRequest(
            route: route, method: head.request.method.rawValue, status: answer.status.code,
            duration: ContinuousClock.now - started)
        if !keepAlive {
            unread = nil
            context.close(promise: nil)
        } else if inputClosed {
            handOver(context: context)
        } else {
            serveUnread(context: context)
        }
    }

    /// Leaves the connection to the HTTP stack behind, with every byte not answered.
    private func handOver(context: ChannelHandlerContext) {
        guard !handingOver else { return }
        handingOver = true
        pending = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
