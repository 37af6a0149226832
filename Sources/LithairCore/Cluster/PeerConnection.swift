import LithairConsensus
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Raft messages to one peer: `POST /_raft/append` (or the message's route) on one kept-alive
/// HTTP/1.1 connection, driven from a NIO event loop with no task in between.
///
/// One request is in flight at a time, so the peer sees messages in the order the core made
/// them, and whatever the core queues during a round trip leaves merged as the next request
/// (``AppendCoalescer``). The reply carries the peer's answers.
///
/// The replication round trip is the hot path of every write. Through AsyncHTTPClient it
/// hopped from the node's loop to a task, from the task to the event loop and back on the
/// way in; here the node's loop hands the message to the event loop (only when it is idle)
/// and the reply goes from the event loop straight to the node's inbox. The request is written
/// as one buffer of raw bytes and the reply read by ``PeerReplyReader``, without NIO's HTTP
/// client codec.
final class PeerConnection: @unchecked Sendable {
    /// What one request ended with.
    enum Outcome {
        case replied(ByteBuffer, latency: Duration)
        case failed(String)
    }

    private struct Queue {
        var messages: [RaftMessage] = []
        /// The loop has nothing to send and must be woken by the next message.
        var idle = true
        var closed = false
    }

    let peer: ClusterMembership.Member
    /// HTTPS: the peer's certificate must chain to the cluster's CA and name its host or IP.
    private let tls: NIOSSLContext?
    private let loop: any EventLoop
    /// The request's header lines after the request line, up to `content-length`.
    private let headerLines: [UInt8]
    private let requestTimeout: TimeAmount
    private let capacity: Int
    private let onOutcome: @Sendable (Outcome) -> Void
    private let onFree: @Sendable () -> Void
    private let queue = Mutex(Queue())
    private let requestInFlight = Atomic<Bool>(false)

    // Confined to `loop`.
    private var waiting: [RaftMessage] = []
    private var channel: (any Channel)?
    private var outstanding: (started: ContinuousClock.Instant, timeout: Scheduled<Void>)?

    /// - Parameters:
    ///   - onOutcome: called on the event loop with each request's reply or failure.
    ///   - onFree: called on the event loop when a request ended and nothing else was waiting
    ///     to go: a message sent now would leave at once.
    init(
        peer: ClusterMembership.Member, secret: String?, tls: NIOSSLContext? = nil, requestTimeout: Duration,
        capacity: Int = 4096,
        loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        onOutcome: @escaping @Sendable (Outcome) -> Void,
        onFree: @escaping @Sendable () -> Void = {}
    ) {
        self.peer = peer
        self.tls = tls
        self.loop = loop
        self.requestTimeout = .nanoseconds(Int64(requestTimeout.nanoseconds))
        self.capacity = capacity
        self.onOutcome = onOutcome
        self.onFree = onFree
        var lines = "host: \(peer.address)\r\ncontent-type: application/json\r\n"
        if let secret { lines += "authorization: Bearer \(secret)\r\n" }
        self.headerLines = Array(lines.utf8)
    }

    /// Whether a request is on its way or awaiting its reply: a message sent now would wait
    /// for that round trip to end.
    var isBusy: Bool { requestInFlight.load(ordering: .relaxed) }

    /// Queues `messages`, to leave merged where they can; past `capacity` the oldest are
    /// dropped (the leader re-probes).
    func send(_ messages: [RaftMessage]) {
        let wake = queue.withLock { queue -> Bool in
            guard !queue.closed else { return false }
            queue.messages += messages
            if queue.messages.count > capacity { queue.messages.removeFirst(queue.messages.count - capacity) }
            defer { queue.idle = false }
            return queue.idle
        }
        if loop.inEventLoop {
            // A turn of the node running on this event loop, typically the one handling the
            // reply that just ended a request: what it sends leaves now, not once it returns.
            if wake || outstanding == nil { pump() }
        } else if wake {
            loop.execute { self.pump() }
        }
    }

    /// Drops what is queued and closes the connection; a request in flight fails.
    func close() async {
        queue.withLock {
            $0.closed = true
            $0.messages.removeAll()
        }
        try? await loop.submit {
            self.waiting.removeAll()
            self.channel?.close(promise: nil)
            self.channel = nil
        }.get()
    }

    // MARK: On the event loop

    private func pump() {
        guard outstanding == nil else { return }
        let arrived = queue.withLock { queue -> [RaftMessage] in
            defer { queue.messages.removeAll(keepingCapacity: true) }
            queue.idle = queue.closed || (queue.messages.isEmpty && waiting.isEmpty)
            return queue.closed ? [] : queue.messages
        }
        waiting = AppendCoalescer.coalesce(waiting + arrived)
        guard !waiting.isEmpty else { return }
        post(waiting.removeFirst())
    }

    private func post(_ message: RaftMessage) {
        let body = RaftWireCodec.encode(message)
        let route = RaftWireCodec.route(for: message)
        let timeout = loop.scheduleTask(in: requestTimeout) {
            self.finish(.failed("no reply within \(self.requestTimeout)"))
        }
        outstanding = (ContinuousClock.now, timeout)
        requestInFlight.store(true, ordering: .relaxed)
        connected { channel in
            var request = channel.allocator.buffer(capacity: self.headerLines.count + body.count + 64)
            request.writeStaticString("POST ")
            request.writeString(route)
            request.writeStaticString(" HTTP/1.1\r\n")
            request.writeBytes(self.headerLines)
            request.writeStaticString("content-length: ")
            request.writeString(String(body.count))
            request.writeStaticString("\r\n\r\n")
            request.writeBytes(body)
            channel.writeAndFlush(request, promise: nil)
        }
    }

    /// Runs `body` with the open connection, connecting first if there is none.
    private func connected(_ body: @escaping (any Channel) -> Void) {
        if let channel, channel.isActive { return body(channel) }
        channel = nil
        let tls = self.tls
        let host = peer.host
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // An IP address is checked against the certificate's IP entries; SNI takes names only.
                        let name = host.contains(where: { $0 == ":" }) || host.allSatisfy({ $0.isNumber || $0 == "." })
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: name ? nil : host))
                    }
                    try channel.pipeline.syncOperations.addHandler(PeerReplyReader(connection: self))
                }
            }
            .connect(host: peer.host, port: peer.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard self.outstanding != nil else {
                        channel.close(promise: nil)  // timed out or closed meanwhile
                        return
                    }
                    self.channel = channel
                    body(channel)
                case .failure(let error):
                    self.finish(.failed("connect: \(error)"))
                }
            }
    }

    /// Ends the request in flight (the first outcome wins) and sends what waits.
    fileprivate func finish(_ outcome: Outcome) {
        guard let (_, timeout) = outstanding else { return }
        timeout.cancel()
        outstanding = nil
        requestInFlight.store(false, ordering: .relaxed)
        if case .failed = outcome {
            // Whatever the connection still carries belongs to a request given up on.
            channel?.close(promise: nil)
            channel = nil
        }
        onOutcome(outcome)
        pump()
        if outstanding == nil { onFree() }
    }

    /// On the event loop: the reply to the request in flight.
    func replied(status: Int, body: ByteBuffer) {
        guard let (started, _) = outstanding else { return }
        if (200..<300).contains(status) {
            finish(.replied(body, latency: ContinuousClock.now - started))
        } else {
            finish(.failed("HTTP \(status): \(String(buffer: body))"))
        }
    }

    /// On the event loop: `channel` closed or failed.
    func connectionLost(_ channel: any Channel, error: (any Error)?) {
        guard channel === self.channel else { return }
        self.channel = nil
        finish(.failed(error.map { "\($0)" } ?? "connection closed by the peer"))
    }
}
